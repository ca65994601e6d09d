package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.python.analysis.FileFacts;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.fleetshell.engine.python.pattern.RewriteTest.assertRewrite;
import static io.fleetshell.engine.python.pattern.RewriteTest.input;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden before/after tests of {@code cache_optimization}: the pure, measured-to-repeat function that gets a cache next
 * to every refusal (issue 21). {@code <memo>} stands for the inlined cache wrapper.
 */
class MemoizePureFunctionsTest {

    private static final Pattern<FileFacts> CACHE = new MemoizePureFunctions();
    private static final String PY311 = "3.11.2";

    private static Map<String, String> counts(String counts) {
        return Map.of(MemoizePureFunctions.OPTION_CALL_COUNTS, counts);
    }

    private static String reasons(String source, String counts) {
        Applicability applicability = CACHE.validate(input(source, PY311, counts == null ? Map.of() : counts(counts)));
        return String.join("\n", applicability.reasons());
    }

    private static final String SCORE = """
            import math

            SCALE = 3


            def score(word, n):
                total = 0.0
                for i in range(n):
                    total += math.sin(i * SCALE) * len(word)
                return round(total, 4)


            def handle_run(params):
                return {"score": score(params["x"], 20000)}
            """;

    @Test
    void aPureFunctionMeasuredToRepeatItsArgumentsGetsACacheSizedFromThem() {
        assertRewrite(CACHE, PY311, counts("score:40:5:812.5"), SCORE, """
                import math

                SCALE = 3


                # fleetshell cache_optimization: the functions below marked cached keep their results in functools.lru_cache
                #   cached: `score` (line 6): called 40 times with 5 different arguments over the replay, 812.5 ms in it, about 710.9 ms of it repeated: lru_cache(maxsize=16), twice the distinct arguments seen, rounded up to a power of two
                <memo>
                def score(word, n):
                    total = 0.0
                    for i in range(n):
                        total += math.sin(i * SCALE) * len(word)
                    return round(total, 4)
                score = _fleetshell_memo(score, 16)
                del _fleetshell_memo


                def handle_run(params):
                    return {"score": score(params["x"], 20000)}
                """);
    }

    @Test
    void aReplayThatFailedCachesNothingAndSaysSoInsteadOfNeverCalled() {
        Applicability applicability = CACHE.validate(input(SCORE, PY311,
                Map.of(MemoizePureFunctions.OPTION_CALL_COUNTS_FAILED, "no answer to /run?x=ab")));

        assertThat(applicability.applies()).isFalse();
        assertThat(String.join("\n", applicability.reasons()))
                .contains("the replay that measures its calls failed", "no answer to /run?x=ab").doesNotContain("never call");
    }

    @Test
    void aModuleThatLazyLoadingBoundIsStillAPureModule() {
        assertThat(reasons("""
                import os
                heapq = _fleetshell_lazy("heapq", "heapq")


                def smallest(a, b, c):
                    queue = [a, b, c]
                    heapq.heapify(queue)
                    return heapq.heappop(queue)
                """, "smallest:9:1:50")).contains("cached: `smallest` (line 5)");
    }

    @Test
    void withoutAMeasurementNothingIsCached() {
        assertRewrite(CACHE, PY311, Map.of(), SCORE, null);
        assertThat(reasons(SCORE, null)).contains("`score` (line 6): pure enough, but not measured")
                .contains("set replay_requests");
    }

    @Test
    void everyCallWithNewArgumentsNeverHits() {
        assertThat(reasons(SCORE, "score:40:40:812.5")).contains("called 40 times with 40 different arguments: a cache would never hit");
    }

    @Test
    void aFunctionTheReplayNeverCallsIsLeftAlone() {
        assertThat(reasons(SCORE, "other:4:1:10")).contains("pure enough, but the replayed requests never call it");
    }

    @Test
    void aCheapFunctionIsNotWorthACache() {
        assertThat(reasons(SCORE, "score:40:5:0.4")).contains("not worth a cache");
    }

    @Test
    void theRequestHandlerReadingStateIsRefusedWithTheGlobalItReads() {
        assertThat(reasons("""
                COUNTER = []


                def handle(x):
                    return len(COUNTER) + x
                """, "handle:9:1:50")).contains("it reads module global `COUNTER` (line 5), which is not an immutable constant");
    }

    @Test
    void ioIsRefused() {
        assertThat(reasons("""
                def read(path):
                    with open(path) as fh:
                        return fh.read()
                """, "read:9:1:50")).contains("it calls open() (line 2), which may do I/O or keep state");
        assertThat(reasons("""
                import time


                def stamp(x):
                    return time.time() + x
                """, "stamp:9:1:50")).contains("it calls time.time (line 5), which may do I/O or keep state");
    }

    @Test
    void globalWritesAreRefused() {
        assertThat(reasons("""
                TOTAL = 0


                def add(x):
                    global TOTAL
                    TOTAL += x
                    return TOTAL
                """, "add:9:1:50")).contains("it declares global or nonlocal TOTAL");
    }

    @Test
    void writingToAnArgumentIsRefused() {
        assertThat(reasons("""
                def tag(item):
                    item["seen"] = True
                    return 1
                """, "tag:9:1:50")).contains("it writes to item[\"seen\"] (line 2), which it does not own");
    }

    @Test
    void aMutableResultIsRefused() {
        assertThat(reasons("""
                def split(text):
                    return text.split(",")
                """, "split:9:1:50")).contains("a cached result must not be mutable");
    }

    @Test
    void methodsAreNeverCached() {
        assertThat(reasons("""
                class Model:
                    def __init__(self):
                        self.scale = 2

                    def predict(self, x):
                        return x * self.scale
                """, "Model.predict:9:1:50")).contains("`Model.predict` (line 5): it is a method");
    }

    @Test
    void randomnessAndCallbacksAreRefused() {
        assertThat(reasons("""
                import random


                def jitter(x):
                    return x + random.random()


                def apply(f, x):
                    return f(x)
                """, "jitter:9:1:50,apply:9:1:50")).contains("it calls random.random (line 5)")
                .contains("it calls `f` (line 9), a value it was given");
    }

    @Test
    void aFunctionCallingAnImpureOneIsRefusedToo() {
        assertThat(reasons("""
                def noisy(x):
                    print(x)
                    return x


                def wrapper(x):
                    return noisy(x) + 1
                """, "wrapper:9:1:50")).contains("it calls noisy(), which is not cacheable");
    }

    @Test
    void decoratedFunctionsAndGeneratorsAreRefused() {
        assertThat(reasons("""
                import functools


                @functools.lru_cache
                def a(x):
                    return x


                def b(x):
                    yield x
                """, "a:9:1:50,b:9:1:50")).contains("it is decorated (line 4)").contains("it is a generator or awaits (line 10)");
    }

    @Test
    void maxsizeIsTwiceTheDistinctArgumentsRoundedUpToAPowerOfTwo() {
        assertThat(MemoizePureFunctions.maxsize(1)).isEqualTo(8);
        assertThat(MemoizePureFunctions.maxsize(5)).isEqualTo(16);
        assertThat(MemoizePureFunctions.maxsize(8)).isEqualTo(16);
        assertThat(MemoizePureFunctions.maxsize(100)).isEqualTo(256);
    }
}
