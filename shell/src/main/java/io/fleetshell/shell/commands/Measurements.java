package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.Progress;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.optimize.AgentOptimizer;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.history.Baseline;
import io.fleetshell.history.BaselineStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Output;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scores and profiles through the engine's optimizers with this shell's stored baselines: what {@code score},
 * {@code profile}, {@code batch deploy} and a playbook's {@code fleet.score} / {@code fleet.profile} run, so
 * that no command is called as a service by another.
 */
@Component
public class Measurements {

    private final ShellSession session;
    private final Rollouts rollouts;

    public Measurements(ShellSession session, Rollouts rollouts) {
        this.session = session;
        this.rollouts = rollouts;
    }

    /** The agents' scores, in their order, from static facts and each one's latest baseline (as {@code score} shows them). */
    public List<AgentScore> scores(Inventory inventory, List<Agent> agents) {
        Map<AgentId, Baseline> latest = new HashMap<>();
        session.baselines().latest().forEach(b -> latest.put(b.profile().target().agent(), b));
        Progress.update("score", "scoring: analyzing %d agent%s' files".formatted(agents.size(), agents.size() == 1 ? "" : "s"));
        try {
            return rollouts.optimizers(null).score(inventory, agents, agent -> {
                Baseline b = latest.get(agent.id());
                return b == null ? null : new AgentOptimizer.MeasuredLoad(b.profile(), b.version(), b.scriptSha256());
            });
        } finally {
            Progress.end("score");
        }
    }

    /**
     * Measures the agents (those whose script was found; the others get a warning) and stores each
     * result as a new baseline version: what {@code profile} and a playbook's {@code fleet.profile} run.
     */
    public List<Baseline> measure(Inventory inventory, List<Agent> agents, int runs, int parallel, int timeout) {
        Output out = session.output();
        io.fleetshell.engine.optimize.Optimizers optimizers = rollouts.optimizers(null);
        List<Agent> found = new ArrayList<>();
        for (Agent agent : agents) {
            if (!agent.script().found()) {
                out.warn("%s: not profiled, its script was not found (%s)".formatted(agent.id(), agent.script().detail()));
                continue;
            }
            found.add(agent);
        }
        if (found.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "no agent to profile: none of them has a script that was found "
                    + "(see the warnings above)");
        }
        int total = found.size();
        out.info("Profiling %d agent%s, %d run%s each, %d at a time...".formatted(total, total == 1 ? "" : "s",
                runs, runs == 1 ? "" : "s", parallel));
        AtomicInteger done = new AtomicInteger();
        Progress.update("profile", "profiling: 0/%d agents done".formatted(total));
        List<AgentOptimizer.Measurement> measured = optimizers.profile(inventory, found, runs, parallel,
                Duration.ofSeconds(timeout), p -> {
                    int finished = done.incrementAndGet();
                    Progress.update("profile", "profiling: %d/%d agents done".formatted(finished, total));
                    out.info("  [%d/%d] %s: %s".formatted(finished, total, p.target().agent(), ProfileCommands.oneLine(p)));
                });
        Progress.end("profile");
        BaselineStore store = session.baselines();
        Instant now = Instant.now();
        return measured.stream().map(m -> store.save(m.profile(), m.scriptSha256(), runs, now)).toList();
    }
}
