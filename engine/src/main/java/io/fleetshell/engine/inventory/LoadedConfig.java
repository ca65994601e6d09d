package io.fleetshell.engine.inventory;

import java.util.List;

/**
 * One startup config read and resolved: the exact text it had (the snapshot), its machine and agents,
 * and the notices raised while reading it.
 *
 * @param source  where it was read from and with which options
 * @param content the file's text at the time it was read
 * @param sha256  hex sha256 of that text
 * @param machine the machine the config describes
 * @param agents  its agents, in file order
 * @param notices entries skipped, scripts found elsewhere, duplicate ports
 */
public record LoadedConfig(ConfigSource source, String content, String sha256, Machine machine, List<Agent> agents,
                           List<Notice> notices) {

    public LoadedConfig {
        agents = List.copyOf(agents);
        notices = List.copyOf(notices);
    }
}
