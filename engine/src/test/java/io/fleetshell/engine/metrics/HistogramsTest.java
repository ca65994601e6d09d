package io.fleetshell.engine.metrics;

import io.fleetshell.engine.metrics.Histograms.Bucket;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Expected values computed by hand with Prometheus' histogram_quantile rules (promql/quantile.go). */
class HistogramsTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void interpolatesInsideTheBucketHoldingTheRank() {
        List<Bucket> b = List.of(new Bucket(0.1, 50), new Bucket(0.2, 90), new Bucket(0.5, 100), new Bucket(INF, 100));
        assertThat(Histograms.quantile(0.5, b)).isCloseTo(0.1, within(1e-12));      // rank 50: the end of bucket 1
        assertThat(Histograms.quantile(0.7, b)).isCloseTo(0.15, within(1e-12));     // rank 70: half way into (0.1, 0.2]
        assertThat(Histograms.quantile(0.95, b)).isCloseTo(0.35, within(1e-12));    // rank 95: half way into (0.2, 0.5]
        assertThat(Histograms.quantile(0.25, b)).isCloseTo(0.05, within(1e-12));    // first bucket starts at 0
    }

    @Test
    void theInfBucketAnswersTheHighestFiniteBoundAndEdgeCasesAreNaN() {
        List<Bucket> b = List.of(new Bucket(0.1, 1), new Bucket(0.5, 2), new Bucket(INF, 10));
        assertThat(Histograms.quantile(0.95, b)).isEqualTo(0.5);
        assertThat(Histograms.quantile(0.5, List.of(new Bucket(0.1, 0), new Bucket(INF, 0)))).isNaN();
        assertThat(Histograms.quantile(0.5, List.of(new Bucket(0.1, 3), new Bucket(1, 4)))).isNaN();
        assertThat(Histograms.quantile(0.5, List.of(new Bucket(INF, 4)))).isNaN();
        assertThat(Histograms.quantile(-1, b)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Histograms.quantile(2, b)).isEqualTo(INF);
    }

    @Test
    void nonMonotonicCountsAreRaisedAsPrometheusDoes() {
        List<Bucket> b = List.of(new Bucket(0.1, 10), new Bucket(0.2, 8), new Bucket(INF, 10));
        assertThat(Histograms.quantile(0.5, b)).isCloseTo(0.05, within(1e-12));
    }

    @Test
    void deltaIsWhatWasObservedBetweenScrapesAndAResetStartsOver() {
        List<Bucket> before = List.of(new Bucket(0.1, 10), new Bucket(INF, 12));
        List<Bucket> after = List.of(new Bucket(0.1, 15), new Bucket(INF, 22));
        assertThat(Histograms.delta(before, after)).containsExactly(new Bucket(0.1, 5), new Bucket(INF, 10));
        List<Bucket> restarted = List.of(new Bucket(0.1, 1), new Bucket(INF, 1));
        assertThat(Histograms.delta(before, restarted)).isEqualTo(restarted);
    }

    @Test
    void bucketsAreSummedOverTheSelectedSeries() {
        Exposition e = ExpositionParser.parse("""
                # TYPE d histogram
                d_bucket{path="/run",le="0.1"} 2
                d_bucket{path="/run",le="+Inf"} 3
                d_bucket{path="/health",le="0.1"} 5
                d_bucket{path="/health",le="+Inf"} 5
                d_sum{path="/run"} 1
                d_count{path="/run"} 3
                """, ExpositionFormat.TEXT);
        assertThat(Histograms.buckets(e, "d", labels -> true)).containsExactly(new Bucket(0.1, 7), new Bucket(INF, 8));
        assertThat(Histograms.buckets(e, "d", labels -> "/run".equals(labels.get("path"))))
                .containsExactly(new Bucket(0.1, 2), new Bucket(INF, 3));
        assertThat(Histograms.observations(Histograms.buckets(e, "d", labels -> true))).isEqualTo(8);
    }
}
