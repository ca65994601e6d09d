package io.fleetshell.engine.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's one-minute load average, recorded with every measurement (issue 16 item 9): a figure read on a busy
 * machine says so itself. Read from {@code /proc/loadavg} (the JDK's {@code getSystemLoadAverage} is the same number
 * where it exists, but says nothing where it does not).
 */
public final class LoadAverage {

    private static final Path PROC = Path.of("/proc/loadavg");

    private LoadAverage() {
    }

    /** The one-minute load average now, or NaN where the system does not tell. */
    public static double now() {
        try {
            String text = Files.readString(PROC).strip();
            return Double.parseDouble(text.substring(0, text.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            double jdk = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return jdk < 0 ? Double.NaN : jdk;
        }
    }
}
