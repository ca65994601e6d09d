package io.fleetshell.engine.playbook;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.score.AgentScore;

import java.util.List;

/**
 * What a playbook can do to the fleet: exactly the operations the shell's commands run, through the
 * same code (the shell implements this port with its session; a simulation implements it from a
 * recorded deployment). A playbook has no other way to reach the fleet, so it cannot get around
 * backups, proofs, locks or the journal the commands keep.
 */
public interface FleetPort {

    /** The inventory as {@code inventory list} shows it. */
    Inventory inventory();

    /** Scores as {@code score} computes them, one per agent, in the order given. */
    List<AgentScore> score(List<Agent> agents);

    /** Measures the agents as {@code profile} does and stores each result as a new baseline version. */
    List<Profiled> profile(List<Agent> agents, int runs);

    /** One agent's measurement and the baseline version it was stored as. */
    record Profiled(AgentProfile profile, int baselineVersion) {
    }
}
