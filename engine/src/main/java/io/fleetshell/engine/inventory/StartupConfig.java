package io.fleetshell.engine.inventory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A startup config as written, before expansion and resolution: its global settings and one
 * {@link Entry} per listed service, each with the line it starts on.
 *
 * @param file           the config file
 * @param globalSettings the {@code global_settings:} mapping, or empty
 * @param settingLines   the 1-based line of each global setting, and of each environment variable as
 *                       {@code environment.NAME}
 * @param machineKey     the machine the file names for itself ({@code machine:} at top level or in
 *                       global settings, else the prefix of a {@code <machine>_services:} key), or null
 * @param machineLine    the line that names it (1 when nothing does)
 * @param entries        every entry under {@code agent_groups:} and every {@code *_services:} list, in file order
 * @param notices        what was skipped as clearly not an agent, with its line
 */
public record StartupConfig(Path file, Map<String, Object> globalSettings, Map<String, Integer> settingLines, String machineKey,
                            int machineLine, List<Entry> entries, List<Notice> notices) {

    public StartupConfig {
        entries = List.copyOf(entries);
        notices = List.copyOf(notices);
    }

    /**
     * One service entry.
     *
     * @param group  its group, or the list key it appears under
     * @param name   its name (the mapping key, or its {@code name:} field; null when it has neither)
     * @param line   1-based line where the entry starts
     * @param fields its fields as plain values (String, Long, Double, Boolean, List, Map or null)
     * @param lines  1-based line of each field
     */
    public record Entry(String group, String name, int line, Map<String, Object> fields, Map<String, Integer> lines) {

        public int lineOf(String field) {
            return lines.getOrDefault(field, line);
        }
    }
}
