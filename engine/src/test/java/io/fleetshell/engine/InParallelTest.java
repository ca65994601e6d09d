package io.fleetshell.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link InParallel#byGroup}: groups in parallel up to the bound, a group's items in order, results in the items' order. */
class InParallelTest {

    @Test
    void groupsRunInParallelAndEachGroupsItemsOneAfterAnotherInTheirOrder() {
        List<String> items = List.of("a1", "b1", "a2", "c1", "b2", "a3");
        Map<Character, List<String>> seen = new ConcurrentHashMap<>();
        // Three groups, three threads: every group must be running before any item finishes (a latch of 3 that only
        // parallel groups can open; one after another, the first item would wait forever and the test time out).
        CountDownLatch allGroups = new CountDownLatch(3);
        List<String> results = InParallel.byGroup(items, s -> s.charAt(0), 3, item -> {
            char group = item.charAt(0);
            if (item.endsWith("1")) {
                allGroups.countDown();
                try {
                    assertThat(allGroups.await(60, TimeUnit.SECONDS)).as("the three groups run at once").isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            seen.computeIfAbsent(group, g -> Collections.synchronizedList(new ArrayList<>())).add(item);
            return item.toUpperCase();
        }, "test");
        assertThat(results).containsExactly("A1", "B1", "A2", "C1", "B2", "A3");
        assertThat(seen.get('a')).containsExactly("a1", "a2", "a3");
        assertThat(seen.get('b')).containsExactly("b1", "b2");
    }

    @Test
    void atMostForksGroupsRunAtOnce() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            items.add(i);
        }
        InParallel.byGroup(items, i -> i % 20, 4, i -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.onSpinWait();
            running.decrementAndGet();
            return i;
        }, "test");
        assertThat(most.get()).isBetween(1, 4);
    }
}
