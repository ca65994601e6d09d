package io.fleetshell.engine.rollout;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.util.ArrayList;
import java.util.List;

/**
 * How many agents each batch takes, as typed after {@code --batch-size}: {@code 3} (three per batch),
 * {@code 25%} (a quarter of the agents per batch) or a list such as {@code 1,5,20%}, whose entries size
 * the first batches in turn and whose last entry repeats until every agent has a batch (Argo Rollouts'
 * canary steps). A percentage is of all the agents in the plan, rounded up, at least one.
 *
 * @param sizes each entry: a count, or a percentage when {@code percent} is true for it
 */
public record BatchSpec(List<Entry> sizes, String text) {

    /** One entry of the list. */
    public record Entry(int value, boolean percent) {
    }

    public BatchSpec {
        sizes = List.copyOf(sizes);
    }

    public static BatchSpec parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            throw bad(text, "it is empty");
        }
        List<Entry> entries = new ArrayList<>();
        for (String part : trimmed.split(",")) {
            String p = part.strip();
            boolean percent = p.endsWith("%");
            String number = percent ? p.substring(0, p.length() - 1).strip() : p;
            int value;
            try {
                value = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                throw bad(text, "'" + p + "' is not a whole number or a percentage");
            }
            if (value < 1 || (percent && value > 100)) {
                throw bad(text, "'" + p + "' must be at least 1" + (percent ? " and at most 100%" : ""));
            }
            entries.add(new Entry(value, percent));
        }
        return new BatchSpec(entries, trimmed);
    }

    /** The sizes of the batches for {@code total} agents, in order; they add up to {@code total}. */
    public List<Integer> split(int total) {
        List<Integer> batches = new ArrayList<>();
        int left = total;
        int index = 0;
        while (left > 0) {
            Entry entry = sizes.get(Math.min(index++, sizes.size() - 1));
            int size = entry.percent() ? Math.max(1, (int) Math.ceil(total * entry.value() / 100.0)) : entry.value();
            size = Math.min(size, left);
            batches.add(size);
            left -= size;
        }
        return batches;
    }

    private static FleetshellException bad(String text, String why) {
        return new FleetshellException(ErrorCode.BAD_INPUT, "--batch-size '" + text + "' is not valid: " + why
                + ". Give a count (3), a percentage of the agents (25%) or a list of them (1,5,20%).");
    }
}
