package io.fleetshell.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs one piece of work per item on a few threads and returns the results in the items' order; {@link #byGroup}
 * runs groups (the machines of a fleet) in parallel and each group's items one after another.
 */
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

    /**
     * Runs the items group by group ({@code group} names an item's group, e.g. its machine): up to {@code forks}
     * groups at once, each group's items one after another in their order, results in the items' order. A slow group
     * holds up its own items and one of the {@code forks} slots, never another group's items; what one item's failure
     * means is the work's to say (it returns an outcome for it rather than throwing, so the rest go on).
     */
    public static <T, R> List<R> byGroup(List<T> items, Function<T, ?> group, int forks, Function<T, R> work, String what) {
        java.util.Map<Object, List<Integer>> groups = new java.util.LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            groups.computeIfAbsent(group.apply(items.get(i)), g -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> members = new ArrayList<>(groups.values());
        List<List<R>> done = map(members, Math.min(Math.max(1, forks), Math.max(1, members.size())),
                indexes -> indexes.stream().map(i -> work.apply(items.get(i))).toList(), what);
        List<R> results = new ArrayList<>(java.util.Collections.nCopies(items.size(), null));
        for (int g = 0; g < members.size(); g++) {
            for (int k = 0; k < members.get(g).size(); k++) {
                results.set(members.get(g).get(k), done.get(g).get(k));
            }
        }
        return results;
    }
}
