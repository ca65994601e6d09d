package io.fleetshell.engine.inventory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Finds ports claimed by more than one agent on the same machine (both kinds of port count). */
public final class PortConflicts {

    private PortConflicts() {
    }

    /** One notice per port used twice on a machine, at the line of the second agent to claim it. */
    public static List<Notice> within(Collection<Agent> agents) {
        Map<String, Agent> owners = new TreeMap<>();
        List<Notice> notices = new ArrayList<>();
        for (Agent agent : agents) {
            for (Integer port : new Integer[] {agent.port(), agent.healthCheckPort()}) {
                if (port == null) {
                    continue;
                }
                Agent first = owners.putIfAbsent(agent.machine() + ":" + port, agent);
                if (first != null && first != agent) {
                    notices.add(new Notice(agent.configFile(), agent.configLine(),
                            "port %d of %s is also used by %s on machine %s (%s:%d); give one of them another port"
                                    .formatted(port, agent.name(), first.name(), agent.machine(),
                                            first.configFile().getFileName(), first.configLine())));
                }
            }
        }
        return notices;
    }
}
