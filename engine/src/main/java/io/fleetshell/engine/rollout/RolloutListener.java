package io.fleetshell.engine.rollout;

import java.time.Duration;
import java.util.List;

/** What a running rollout reports as it goes; the shell draws progress from it. Every method may be ignored. */
public interface RolloutListener {

    RolloutListener SILENT = new RolloutListener() {
    };

    default void batchStarted(int batch, int batches, List<StoredStep> steps) {
    }

    /** @param done steps finished so far in the whole deployment; @param total all its steps */
    default void stepFinished(StoredStep step, StepState state, String detail, int done, int total) {
    }

    /** After the batch gate (before --on-fail acts on a failed batch). */
    default void batchFinished(BatchOutcome outcome) {
    }

    /** Once a second while waiting {@code --interval} before {@code nextBatch}. */
    default void waiting(Duration left, int nextBatch) {
    }

    default void message(String text) {
    }
}
