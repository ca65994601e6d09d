package io.fleetshell.engine.rollout;

import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.Rewrite;

import java.nio.file.Path;

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
 *                        of the step are refused when it resolves elsewhere
 */
public record PlanStep(int batch, int position, AgentId agent, Path file, String pattern, String expectedSha256,
                       Rewrite rewrite, Double predictedGainMs, ProofHints hints, Path realPath) {

    public PlanStep {
        realPath = realPath == null ? SafeFiles.realPathOf(file) : realPath;
    }

    /** A step whose real path is resolved now, as the plan is made. */
    public PlanStep(int batch, int position, AgentId agent, Path file, String pattern, String expectedSha256,
                    Rewrite rewrite, Double predictedGainMs, ProofHints hints) {
        this(batch, position, agent, file, pattern, expectedSha256, rewrite, predictedGainMs, hints, null);
    }
}
