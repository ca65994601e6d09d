package io.fleetshell.engine.optimize;

import io.fleetshell.engine.inventory.Agent;

/** The one rule for when a stored baseline still describes an agent's file, for both languages' scores. */
final class Baselines {

    private Baselines() {
    }

    /**
     * Why the baseline is not used (it measured another version of the file), or null when it is used, absent,
     * or the file was not analyzed.
     *
     * @param file how the language calls the agent's file in the note ("script", "source")
     */
    static String staleNote(Agent agent, AgentOptimizer.MeasuredLoad baseline, boolean analyzed, String fileSha256, String file) {
        if (baseline == null || !analyzed || baseline.scriptSha256().equals(fileSha256)) {
            return null;
        }
        return "baseline v%d was measured on another version of the %s; profile %s again (scored from static facts only)"
                .formatted(baseline.version(), file, agent.name());
    }
}
