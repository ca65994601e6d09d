package io.fleetshell.engine.optimize;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Language;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.score.AgentScore;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Everything fleetshell does to the agents of one language: its patterns, the score from static facts and
 * a baseline, the rewrite, the proof of a rewrite and the profile. {@link PythonOptimizer} is the Python one,
 * {@link JavaOptimizer} the Java one; {@link Optimizers} is the one place that picks between them by an
 * agent's language, so that no caller asks which language an agent is written in.
 *
 * @param <F> the language's analysis facts, which its patterns read
 */
public sealed interface AgentOptimizer<F> permits PythonOptimizer, JavaOptimizer {

    /** The language whose agents this optimizer takes. */
    Language language();

    /** The language's patterns, in the order {@code optimize} applies them when none is named. */
    List<Pattern<F>> patterns();

    /** The command that runs the agent (its interpreter, or its JVM launcher) as configured, for messages: it asks the host nothing. */
    String runner(Agent agent, Machine machine);

    /** What one run of the load-time proof is called in messages: {@code loads}, {@code JVM starts}. */
    String runsNoun();

    /** The runtime an optimization was made for, as {@code optimize} shows it, from {@link Optimization#pythonVersion}. */
    String runtimeLabel(String version);

    /** The language's pattern with this id, or a bad-input error naming the language's patterns. */
    Pattern<F> pattern(String id);

    /** The scores of these agents (all of this language), in their order; a baseline on another version of the file is not used. */
    List<AgentScore> score(Inventory inventory, List<Agent> agents, Function<Agent, MeasuredLoad> baselines);

    /** Rewrites one agent with the patterns in turn and proves the result (when a prover was given). Never writes the file. */
    Optimization optimize(Agent agent, Machine machine, List<Pattern<F>> patterns);

    /**
     * The patterns' proof of a rewrite a rollout has written, comparing its {@code before} with its {@code after}.
     * The agent's {@code test_command} is left to the rollout, which runs it on the file as written.
     */
    Proof proveWritten(Agent agent, Machine machine, Rewrite rewrite, ProofHints hints);

    /**
     * Loads (or starts) each agent {@code runs} times and reports each profile to {@code done} as it ends.
     * Every agent's file exists; its checksum is taken before the runs.
     */
    List<Measurement> profile(Inventory inventory, List<Agent> agents, int runs, int parallel, Duration timeout,
                              Consumer<AgentProfile> done);

    /** A profile with the checksum of the file it measured. */
    record Measurement(AgentProfile profile, String scriptSha256) {
    }

    /**
     * An agent's latest stored baseline, as the score reads it.
     *
     * @param profile      the measured profile
     * @param version      the baseline's version
     * @param scriptSha256 the checksum of the file it measured
     */
    record MeasuredLoad(AgentProfile profile, int version, String scriptSha256) {
    }
}
