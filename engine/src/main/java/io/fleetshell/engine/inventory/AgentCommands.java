package io.fleetshell.engine.inventory;

/**
 * Commands the startup config gives for one agent. Each is a shell command line run from the fleet
 * root; {@code {name}}, {@code {machine}} and {@code {script}} are replaced before it runs.
 *
 * @param test    {@code test_command}: the agent's own tests, which a rewrite's proof runs; null when none
 * @param restart {@code restart_command} of the agent, else of its machine ({@code global_settings}), for
 *                agents managed outside fleetshell (e.g. {@code systemctl restart {name}}); null when none
 */
public record AgentCommands(String test, String restart) {

    public static final AgentCommands NONE = new AgentCommands(null, null);
}
