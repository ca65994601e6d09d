package io.fleetshell.engine.rollout;

import java.util.List;

/**
 * Decides, as a deployment runs, how many of its steps the next batch takes and whether to go on after a
 * batch that passed its gate. The {@link RolloutExecutor} has one batch loop and asks its policy there; the
 * batch gate ({@code --max-fail}) and {@code --on-fail} apply whatever the policy. The default policy,
 * {@link #planned(RolloutOptions)}, cuts batches by the deployment's {@link BatchSpec} and always goes on:
 * {@code batch deploy}, {@code optimize} and {@code deploy resume} run with it; a playbook plugs its own
 * {@code batchSize} and {@code shouldContinue} functions in.
 */
public interface BatchPolicy {

    /**
     * Where the deployment stands when its next batch is cut.
     *
     * @param index   the 0-based index of the batch about to start
     * @param total   all the deployment's steps
     * @param left    its steps not yet started
     * @param history the batches finished so far in this run, in order
     */
    record Progress(int index, int total, int left, List<BatchOutcome> history) {

        public Progress {
            history = List.copyOf(history);
        }
    }

    /** How many steps the next batch takes: 1 or more (more than {@code left} means all of them). */
    int nextBatchSize(Progress progress);

    /** Asked after a batch that passed its gate when steps are left: false stops the deployment there. */
    boolean shouldContinue(BatchOutcome batch);

    /** The batches of the spec the deployment was stored with, run to the end unless a gate stops them. */
    static BatchPolicy planned(RolloutOptions options) {
        return new BatchPolicy() {
            @Override
            public int nextBatchSize(Progress progress) {
                List<Integer> sizes = options.batches().split(progress.total());
                return progress.index() < sizes.size() ? sizes.get(progress.index()) : progress.left();
            }

            @Override
            public boolean shouldContinue(BatchOutcome batch) {
                return true;
            }
        };
    }
}
