package io.fleetshell.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Runs one piece of work per item on a few threads and returns the results in the items' order. */
public final class InParallel {

    private InParallel() {
    }

    /**
     * @param threads how many items run at once (at least 1)
     * @param what    what is being done, for the message when the caller is interrupted
     * @throws FleetshellException {@link ErrorCode#OPERATION_FAILED} when interrupted (after the running items
     *                             stopped); a runtime
     *                             exception thrown by the work passes through unchanged
     */
    public static <T, R> List<R> map(List<T> items, int threads, Function<T, R> work, String what) {
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads))) {
            // Workers report progress for the caller: they carry its listener.
            Progress.Listener progress = Progress.current();
            List<Future<R>> futures = items.stream().map(item -> pool.submit(() -> {
                if (progress == null) {
                    return work.apply(item);
                }
                try (Progress.Binding bound = Progress.bind(progress)) {
                    return work.apply(item);
                }
            })).toList();
            List<R> results = new ArrayList<>(items.size());
            try {
                for (Future<R> future : futures) {
                    results.add(future.get());
                }
            } catch (InterruptedException e) {
                // Closing the pool would wait for every item still queued: interrupt the running ones (their child
                // processes are killed, their temporary files removed) and drop the rest. close() then waits for
                // the running ones to unwind, so nothing they made outlives this call.
                pool.shutdownNow();
                throw e;
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, what + " was interrupted; nothing was stored or changed");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
