package io.fleetshell.engine.optimize;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;

/** What every optimizer refuses before it reads a file: infrastructure agents and agents whose file is missing. */
final class Optimizable {

    private Optimizable() {
    }

    /** @param file how the language calls the agent's file in the message ("script", "source") */
    static void require(Agent agent, String file) {
        if (agent.infrastructure()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, ("%s is an infrastructure agent and is never optimized. To allow it, "
                    + "remove it from infrastructure_agents in FLEETSHELL_HOME/settings.yaml (or infrastructure: true from its "
                    + "config entry, %s:%d). Nothing was changed.").formatted(agent.id(), agent.configFile(), agent.configLine()));
        }
        if (!agent.script().found()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s: its %s was not found (%s); fix script_path in %s:%d. Nothing was changed."
                    .formatted(agent.id(), file, agent.script().detail(), agent.configFile(), agent.configLine()));
        }
    }
}
