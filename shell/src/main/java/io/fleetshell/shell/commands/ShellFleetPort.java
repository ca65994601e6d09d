package io.fleetshell.shell.commands;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.playbook.FleetPort;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.shell.ShellSession;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * The fleet a playbook run from the shell reaches: every call goes through the code the matching
 * command runs ({@code inventory list}, {@code score}, {@code profile}), with this shell's session, so
 * a playbook stores what the command would store and nothing else.
 */
@Component
public class ShellFleetPort implements FleetPort {

    /** Seconds one load may take when a playbook profiles, as {@code profile}'s default. */
    private static final int PROFILE_TIMEOUT_SECONDS = 60;

    private final ShellSession session;
    private final ScoreCommands score;
    private final ProfileCommands profile;

    public ShellFleetPort(ShellSession session, ScoreCommands score, ProfileCommands profile) {
        this.session = session;
        this.score = score;
        this.profile = profile;
    }

    @Override
    public Inventory inventory() {
        return session.inventoryStore().inventory();
    }

    @Override
    public List<AgentScore> score(List<Agent> agents) {
        return score.scores(inventory(), agents);
    }

    @Override
    public List<Profiled> profile(List<Agent> agents, int runs) {
        return profile.measure(inventory(), agents, runs, Runtime.getRuntime().availableProcessors(), PROFILE_TIMEOUT_SECONDS)
                .stream().map(b -> new Profiled(b.profile(), b.version())).toList();
    }
}
