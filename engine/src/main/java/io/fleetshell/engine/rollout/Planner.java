package io.fleetshell.engine.rollout;

import io.fleetshell.engine.Progress;
import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.optimize.Optimization;
import io.fleetshell.engine.optimize.Optimizers;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.score.ScoreReport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a rollout into a {@link Plan} before anything is written: each agent is rewritten by its
 * language's patterns (or the one named), agents with nothing to change, or whose rewrite is refused, are set
 * aside with the reason, and the rest are split into batches. Each step keeps the rewrite, the checksum of the
 * bytes it was made from and what its proof needs to know ({@link io.fleetshell.engine.optimize.ProofHints}). A shared
 * module's change ({@link ModuleChange}) becomes one step of all its files, planned before every agent step.
 * {@code batch deploy}, {@code optimize}, playbooks and (through the stored steps) {@code deploy resume} all
 * execute plans made here.
 */
public final class Planner {

    /** How {@code optimize AGENT}'s one-agent deployment runs: one batch of one, nothing to wait for. */
    public static final RolloutOptions ONE_AGENT = new RolloutOptions(BatchSpec.parse("1"), Duration.ZERO, 0, OnFail.ROLLBACK_BATCH);

    private final Optimizers optimizers;

    /** @param optimizers the optimizers that rewrite (unproved: the rollout proves each rewrite once written) */
    public Planner(Optimizers optimizers) {
        this.optimizers = optimizers;
    }

    /** Fails with the error naming the known patterns unless the named pattern (if any) is some language's. */
    public void requireKnown(String patternId) {
        if (patternId != null) {
            optimizers.requireKnown(patternId);
        }
    }

    /** The agents a rollout takes when none is named: those the score finds optimizable, best first, the first {@code top} (null: all). */
    public static List<AgentScore> candidates(List<AgentScore> scores, Integer top) {
        List<AgentScore> ranked = ScoreReport.of(scores, 1).agents().stream().filter(s -> s.status() == AgentScore.Status.OPTIMIZABLE).toList();
        return top == null ? ranked : ranked.stream().limit(top).toList();
    }

    /** The gain each scored agent's plan step predicts (absent when unmeasured). */
    public static Map<AgentId, Double> gains(List<AgentScore> scores) {
        Map<AgentId, Double> gains = new HashMap<>();
        scores.stream().filter(s -> s.predictedGainMs() != null).forEach(s -> gains.put(s.agent(), s.predictedGainMs()));
        return gains;
    }

    /**
     * The plan of a rollout of these agents, in their order.
     *
     * @param patternId the one pattern to apply, or null for each agent's language's patterns
     * @param gains     the gain score predicts per agent (absent: unmeasured)
     */
    public Plan plan(Inventory inventory, List<Agent> agents, String patternId, Map<AgentId, Double> gains, RolloutOptions options) {
        return plan(inventory, List.of(), List.of(), agents, patternId, gains, options);
    }

    /**
     * The plan of a rollout that changes these shared modules first (each change already made and proved on its
     * dependents by {@code optimize MODULE}'s optimizer; those that cannot be deployed come as {@code moduleSkipped}),
     * then these agents, in their order: {@link #of(List, List, List, Map, RolloutOptions)} orders and separates them.
     */
    public Plan plan(Inventory inventory, List<ModuleChange> modules, List<Plan.Skipped> moduleSkipped, List<Agent> agents,
                     String patternId, Map<AgentId, Double> gains, RolloutOptions options) {
        requireKnown(patternId);
        List<Optimization> changes = new ArrayList<>();
        List<Plan.Skipped> skipped = new ArrayList<>();
        for (Agent agent : agents) {
            Progress.update("plan", "planning: rewriting %s, %d/%d".formatted(agent.id(), changes.size() + skipped.size() + 1, agents.size()));
            if (!optimizers.takes(agent, patternId)) {
                skipped.add(new Plan.Skipped(agent.id(), "%s is a pattern for %s agents; %s is a %s agent".formatted(patternId,
                        optimizers.languageOf(patternId).orElseThrow().title(), agent.name(), agent.language().id())));
                continue;
            }
            try {
                changes.add(optimizers.optimize(inventory, agent, patternId));
            } catch (FleetshellException e) {
                skipped.add(new Plan.Skipped(agent.id(), e.getMessage()));
            }
        }
        Progress.end("plan");
        List<Plan.Skipped> all = new ArrayList<>(moduleSkipped);
        all.addAll(skipped);
        return of(modules, changes, all, gains, options);
    }

    /** The plan of one optimization already made (and proved) by {@code optimize AGENT}: one step in one batch. */
    public static Plan of(Optimization optimization) {
        return of(List.of(optimization), List.of(), Map.of(), ONE_AGENT);
    }

    /** The plan of one shared module's change made by {@code optimize MODULE}: one step of all its files in one batch. */
    public static Plan of(ModuleChange change) {
        return of(List.of(change), List.of(), List.of(), Map.of(), ONE_AGENT);
    }

    /**
     * A plan from optimizations, in the order given; those that change nothing are skipped with what each
     * pattern said.
     */
    public static Plan of(List<Optimization> optimizations, List<Plan.Skipped> skipped, Map<AgentId, Double> gains, RolloutOptions options) {
        return of(List.of(), optimizations, skipped, gains, options);
    }

    /**
     * A plan that mixes shared-module steps and agent steps. Every module step comes first, in the order given, so each
     * agent step runs on the shared modules it imports as they will be (its proof and gates see the new module). One
     * file, one step: a module change that writes a file an earlier module step writes (two modules creating the same
     * helper) is set aside for a later deployment, and an agent whose own file a module step writes is set aside, since
     * that step changes, proves and restarts it as a dependent.
     */
    public static Plan of(List<ModuleChange> modules, List<Optimization> optimizations, List<Plan.Skipped> skipped,
                          Map<AgentId, Double> gains, RolloutOptions options) {
        List<Plan.Skipped> left = new ArrayList<>(skipped);
        Map<java.nio.file.Path, String> byModuleFile = new HashMap<>();
        List<ModuleChange> moduleSteps = new ArrayList<>();
        for (ModuleChange m : modules) {
            AgentId id = new AgentId(m.machine(), m.module());
            if (!m.change().changes()) {
                left.add(new Plan.Skipped(id, "nothing to change in " + m.module()));
                continue;
            }
            String taken = m.change().changed().stream().map(r -> byModuleFile.get(r.file().toAbsolutePath().normalize()))
                    .filter(java.util.Objects::nonNull).findFirst().orElse(null);
            if (taken != null) {
                left.add(new Plan.Skipped(id, ("writes a file the step of %s writes too (one file, one step): deploy it after this "
                        + "deployment, when that file is in place").formatted(taken)));
                continue;
            }
            m.change().changed().forEach(r -> byModuleFile.put(r.file().toAbsolutePath().normalize(), m.module()));
            moduleSteps.add(m);
        }
        List<Optimization> changing = new ArrayList<>();
        Map<java.nio.file.Path, AgentId> byFile = new HashMap<>();
        for (Optimization o : optimizations) {
            String module = byModuleFile.get(o.rewrite().file().toAbsolutePath().normalize());
            if (module != null) {
                left.add(new Plan.Skipped(o.agent().id(), ("its file %s is one of the files of the step of %s (one file, one step): that "
                        + "step changes it and restarts and gates %s with it").formatted(o.rewrite().file(), module, o.agent().name())));
                continue;
            }
            AgentId first = byFile.putIfAbsent(o.rewrite().file().toAbsolutePath().normalize(), o.agent().id());
            if (first != null) {
                // One file, one step (issue 16): a script listed on two machines is rewritten once; the step restarts,
                // gates and analyses every running agent of that file.
                left.add(new Plan.Skipped(o.agent().id(), "same script as %s (%s): one file, one step; %s is restarted and gated "
                        .formatted(first, o.rewrite().file(), o.agent().name()) + "with that step"));
                continue;
            }
            if (o.rewrite().changes()) {
                changing.add(o);
            } else {
                // One line per agent (each pattern's first reason: "nothing to defer..."); the reasons of every import go to the detail.
                List<String> reasons = new ArrayList<>();
                List<String> headlines = new ArrayList<>();
                o.applicability().forEach((id, a) -> {
                    a.reasons().forEach(r -> reasons.add(id + ": " + r));
                    if (!a.reasons().isEmpty()) {
                        headlines.add(id + ": " + a.reasons().getFirst());
                    }
                });
                left.add(new Plan.Skipped(o.agent().id(), headlines.isEmpty() ? "nothing to change" : String.join("; ", headlines), reasons));
            }
        }
        List<PlanStep> steps = new ArrayList<>();
        List<Integer> sizes = options.batches().split(moduleSteps.size() + changing.size());
        int index = 0;
        for (int batch = 1; batch <= sizes.size(); batch++) {
            for (int position = 1; position <= sizes.get(batch - 1); position++, index++) {
                if (index < moduleSteps.size()) {
                    ModuleChange m = moduleSteps.get(index);
                    steps.add(new PlanStep(batch, position, new AgentId(m.machine(), m.module()), m.file(), m.change().pattern(),
                            Checksums.sha256(m.rewrite().before()), m.rewrite(), m.predictedGainMs(), m.hints(), null, m.module(),
                            m.dependents(), m.change(), null));
                    continue;
                }
                Optimization o = changing.get(index - moduleSteps.size());
                steps.add(new PlanStep(batch, position, o.agent().id(), o.rewrite().file(), o.rewrite().pattern(),
                        Checksums.sha256(o.rewrite().before()), o.rewrite(), gains.get(o.agent().id()), o.hints()));
            }
        }
        String patterns = String.join(",", java.util.stream.Stream.concat(moduleSteps.stream().map(m -> m.change().pattern()),
                changing.stream().map(o -> o.rewrite().pattern())).distinct().toList());
        return new Plan(patterns.isEmpty() ? "-" : patterns, steps, left, options);
    }
}
