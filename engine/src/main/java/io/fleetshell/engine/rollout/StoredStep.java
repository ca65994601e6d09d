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
 */
public record StoredStep(long id, long deploymentId, int batch, int position, AgentId agent, Path file, String pattern,
                         String beforeSha256, String afterSha256, Double predictedGainMs, List<String> notes,
                         ProofHints hints, StepState state, String detail, Instant updatedAt) {

    public StoredStep {
        notes = List.copyOf(notes);
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
