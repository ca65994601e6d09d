package io.fleetshell.shell.render;

import java.util.List;

/** A row of block characters, one per value, scaled from the smallest to the largest; NaN is a blank. */
public final class Sparkline {

    private static final char[] BLOCKS = {'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};

    private Sparkline() {
    }

    public static String of(List<Double> values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        StringBuilder line = new StringBuilder(values.size());
        for (double v : values) {
            if (!Double.isFinite(v)) {
                line.append(' ');
            } else if (max == min) {
                line.append(BLOCKS[BLOCKS.length / 2 - 1]);
            } else {
                line.append(BLOCKS[(int) Math.round((v - min) / (max - min) * (BLOCKS.length - 1))]);
            }
        }
        return line.toString();
    }
}
