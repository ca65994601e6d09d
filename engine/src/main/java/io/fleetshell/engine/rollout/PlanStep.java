package io.fleetshell.engine.rollout;

import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.pattern.Rewrite;

import java.nio.file.Path;
import java.util.List;

/**
 * One immutable step of a plan: write {@code rewrite.after()} over {@code file}, but only if the file still
 * has the checksum {@code expectedSha256} it had when the plan was resolved.
 *
 * @param batch           the batch it belongs to, from 1
 * @param position        its place in the batch, from 1
 * @param agent           the agent whose script it changes
 * @param file            the script (absolute)
 * @param pattern         the pattern's id
 * @param expectedSha256  sha256 of the bytes the rewrite was made from
 * @param rewrite         the before/after pair
 * @param predictedGainMs the measured gain predicted by score, or null
 * @param hints           what the rewrite's proof needs to know of it (stored with the step)
 * @param realPath        the file's real path as the plan was made (its directory's symlinks resolved): the writes
 *                        of the step are refused when it resolves elsewhere; the executor records the one its machine
 *                        resolves ({@link PlannedRealPaths})
 * @param module          the shared module the step rewrites (dotted name; a joint step of several modules: their names
 *                        joined by commas, {@link ModuleChange#modulesOf}), or null for a step of one agent
 * @param dependents      the agents that import that module: restarted and gated with the step (empty for an agent's step)
 * @param change          the files of a step of several (a shared module, the helper module it creates, agent files),
 *                        written in its order, restored and recovered as one unit, {@code rewrite} among them; null for a
 *                        step of one file
 * @param realPaths       the real path of each file of the change ({@link ChangeSet#files()}) as the plan was made, in
 *                        that order (null: resolved now)
 */
public record PlanStep(int batch, int position, AgentId agent, Path file, String pattern, String expectedSha256,
                       Rewrite rewrite, Double predictedGainMs, ProofHints hints, Path realPath, String module,
                       List<AgentId> dependents, ChangeSet change, List<Path> realPaths) {

    public PlanStep {
        realPath = realPath == null ? SafeFiles.realPathOf(file) : realPath;
        dependents = dependents == null ? List.of() : List.copyOf(dependents);
        List<Rewrite> written = change == null ? List.of(rewrite) : change.files();
        realPaths = realPaths == null ? written.stream().map(r -> SafeFiles.realPathOf(r.file())).toList() : List.copyOf(realPaths);
        if (realPaths.size() != written.size()) {
            throw new IllegalArgumentException("one real path per file the step writes");
        }
        if (change != null && written.stream().noneMatch(r -> r.file().equals(file))) {
            throw new IllegalArgumentException("the step's file " + file + " is not among the files it writes");
        }
    }

    /** A step of one agent's file whose real path is given (as stored). */
    public PlanStep(int batch, int position, AgentId agent, Path file, String pattern, String expectedSha256,
                    Rewrite rewrite, Double predictedGainMs, ProofHints hints, Path realPath) {
        this(batch, position, agent, file, pattern, expectedSha256, rewrite, predictedGainMs, hints, realPath, null, List.of(),
                null, null);
    }

    /**
     * Every file of the step in the order it writes them; a file of the change left as it is (a helper module an earlier
     * step created, which this one imports) is checked for drift and guarded, not written.
     */
    public List<Rewrite> rewrites() {
        return change == null ? List.of(rewrite) : change.files();
    }

    /** What the step changes, for listings: the module or the agent. */
    public String subject() {
        return module != null ? module : agent.toString();
    }

    /** A step whose real path is resolved now, as the plan is made. */
    public PlanStep(int batch, int position, AgentId agent, Path file, String pattern, String expectedSha256,
                    Rewrite rewrite, Double predictedGainMs, ProofHints hints) {
        this(batch, position, agent, file, pattern, expectedSha256, rewrite, predictedGainMs, hints, null);
    }
}
