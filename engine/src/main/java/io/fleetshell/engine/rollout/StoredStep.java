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
 * @param module         the shared module the step rewrites (dotted name), or null for a step of one agent; a module
 *                       step's {@code agent} holds the module's machine and its dotted name
 * @param dependents     the agents that import the module, restarted and gated together with the step (empty for a
 *                       step of one agent, whose agent and co-agents of its file are)
 * @param files          every file of the step in the order it writes them (a helper module it creates before the
 *                       module that imports it), {@code file} among them: the step writes, restores (in reverse order)
 *                       and recovers them as one unit; for a step of one file, that file alone
 */
public record StoredStep(long id, long deploymentId, int batch, int position, AgentId agent, Path file, String pattern,
                         String beforeSha256, String afterSha256, Double predictedGainMs, List<String> notes,
                         ProofHints hints, StepState state, String detail, Instant updatedAt, Path realPath, String module,
                         List<AgentId> dependents, List<StepFile> files) {

    public StoredStep {
        notes = List.copyOf(notes);
        realPath = realPath == null ? file.toAbsolutePath().normalize() : realPath;
        dependents = dependents == null ? List.of() : List.copyOf(dependents);
        files = files == null || files.isEmpty() ? List.of(new StepFile(file, realPath, beforeSha256, afterSha256)) : List.copyOf(files);
    }

    public StoredStep(long id, long deploymentId, int batch, int position, AgentId agent, Path file, String pattern,
                      String beforeSha256, String afterSha256, Double predictedGainMs, List<String> notes,
                      ProofHints hints, StepState state, String detail, Instant updatedAt, Path realPath) {
        this(id, deploymentId, batch, position, agent, file, pattern, beforeSha256, afterSha256, predictedGainMs, notes, hints,
                state, detail, updatedAt, realPath, null, List.of(), List.of());
    }

    public StoredStep(long id, long deploymentId, int batch, int position, AgentId agent, Path file, String pattern,
                      String beforeSha256, String afterSha256, Double predictedGainMs, List<String> notes,
                      ProofHints hints, StepState state, String detail, Instant updatedAt) {
        this(id, deploymentId, batch, position, agent, file, pattern, beforeSha256, afterSha256, predictedGainMs, notes, hints,
                state, detail, updatedAt, null);
    }

    /** Whether the step changes more than one file. */
    public boolean multiFile() {
        return files.size() > 1;
    }

    /** What the step changes, for listings: the module ({@code common.core.base_agent}) or the agent. */
    public String subject() {
        return module != null ? module : agent.toString();
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
