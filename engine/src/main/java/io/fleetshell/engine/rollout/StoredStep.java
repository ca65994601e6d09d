package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.optimize.ProofHints;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A plan step as the journal holds it, with its current state.
 *
 * @param id             the step's id in history
 * @param deploymentId   the deployment it belongs to
 * @param batch          its batch, from 1
 * @param position       its place in the batch, from 1
 * @param agent          the agent
 * @param file           the script (absolute)
 * @param pattern        the pattern id
 * @param beforeSha256   the original's checksum (its bytes are a stored blob)
 * @param afterSha256    the rewrite's checksum (its bytes are a stored blob)
 * @param predictedGainMs the gain score predicted, or null
 * @param notes          the rewrite's notes
 * @param hints          what the rewrite's proof needs to know of it, as planned
 * @param state          where it stands
 * @param detail         why, in one sentence, or null
 * @param updatedAt      when the state last changed
 * @param realPath       the file's real path when the plan was made (its directory's symlinks resolved): every write
 *                       and restore is refused when the file resolves elsewhere (null in steps stored before it was
 *                       kept: then the file's own path, which must then contain no symlink)
 */
public record StoredStep(long id, long deploymentId, int batch, int position, AgentId agent, Path file, String pattern,
                         String beforeSha256, String afterSha256, Double predictedGainMs, List<String> notes,
                         ProofHints hints, StepState state, String detail, Instant updatedAt, Path realPath) {

    public StoredStep {
        notes = List.copyOf(notes);
        realPath = realPath == null ? file.toAbsolutePath().normalize() : realPath;
    }

    public StoredStep(long id, long deploymentId, int batch, int position, AgentId agent, Path file, String pattern,
                      String beforeSha256, String afterSha256, Double predictedGainMs, List<String> notes,
                      ProofHints hints, StepState state, String detail, Instant updatedAt) {
        this(id, deploymentId, batch, position, agent, file, pattern, beforeSha256, afterSha256, predictedGainMs, notes, hints,
                state, detail, updatedAt, null);
    }

    /** {@code DEPLOYMENT.BATCH.POSITION}, the form {@code explain} and {@code rollback} take. */
    public String label() {
        return deploymentId + "." + batch + "." + position;
    }

    /**
     * The temporary file a write or restore of this step uses: in the same directory (so the rename is
     * atomic), named after the step so that recovery knows exactly which leftovers are its own.
     */
    public Path tempFile() {
        return file.resolveSibling("." + file.getFileName() + ".fleetshell-" + id + ".tmp");
    }
}
