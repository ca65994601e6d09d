package io.fleetshell.history;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.metrics.Exposition;
import io.fleetshell.engine.metrics.ExpositionFormat;
import io.fleetshell.engine.metrics.ExpositionParser;
import io.fleetshell.engine.metrics.MetricType;
import io.fleetshell.engine.metrics.RequestStats;
import io.fleetshell.engine.metrics.ScrapeResult;
import io.fleetshell.engine.metrics.ScrapeTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(HistoryDatabaseExtension.class)
class MetricStoreTest {

    private static final AgentId TUTOR = new AgentId("mainpc", "TutorAgent");
    private static final AgentId CACHE = new AgentId("pc2", "CacheManager");
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00.000Z");

    private static ScrapeResult scraped(AgentId agent, Instant at, int fast, int slow) {
        Exposition e = ExpositionParser.parse("""
                # TYPE demo_request_duration_seconds histogram
                demo_request_duration_seconds_bucket{path="/run",le="0.01"} %d
                demo_request_duration_seconds_bucket{path="/run",le="0.1"} %d
                demo_request_duration_seconds_bucket{path="/run",le="+Inf"} %d
                demo_request_duration_seconds_sum{path="/run"} 1.5
                demo_request_duration_seconds_count{path="/run"} %d
                demo_request_duration_seconds_bucket{path="/metrics",le="0.01"} 100
                demo_request_duration_seconds_bucket{path="/metrics",le="0.1"} 100
                demo_request_duration_seconds_bucket{path="/metrics",le="+Inf"} 100
                # TYPE demo_startup_seconds gauge
                demo_startup_seconds{agent="x"} 0.25
                weird NaN
                hot +Inf
                """.formatted(fast, fast + slow, fast + slow, fast + slow), ExpositionFormat.TEXT);
        return new ScrapeResult.Scraped(new ScrapeTarget(agent, URI.create("http://127.0.0.1:8230/metrics")), at,
                Duration.ofMillis(3), 512, e);
    }

    @Test
    void storesScrapesAndSamplesAndReadsThemBackTracedToTheirScrape(HistoryDatabase db) {
        MetricStore store = new MetricStore(db);
        ScrapeResult failed = new ScrapeResult.Failed(new ScrapeTarget(CACHE, URI.create("http://127.0.0.1:8102/metrics")),
                T0, Duration.ofMillis(2), ScrapeResult.Failure.MALFORMED, "line 1, column 1: expected a metric name, found '<'");
        List<MetricStore.StoredScrape> first = store.save(List.of(scraped(TUTOR, T0, 10, 0), failed), MetricStore.Source.SCRAPE);
        List<MetricStore.StoredScrape> second = store.save(List.of(scraped(TUTOR, T0.plusSeconds(60), 20, 10)), MetricStore.Source.SCRAPE);

        assertThat(first.get(0).ok()).isTrue();
        assertThat(first.get(0).samples()).isEqualTo(11);
        assertThat(first.get(1).status()).isEqualTo("malformed");
        assertThat(store.latest(CACHE).orElseThrow().error()).contains("line 1, column 1");
        assertThat(store.scrapes(TUTOR, T0, T0.plusSeconds(60))).extracting(MetricStore.StoredScrape::id)
                .containsExactly(first.get(0).id(), second.get(0).id());

        Exposition before = store.exposition(first.get(0).id());
        Exposition after = store.exposition(second.get(0).id());
        assertThat(after.family("demo_request_duration_seconds").orElseThrow().type()).isEqualTo(MetricType.HISTOGRAM);
        assertThat(after.samples("weird").getFirst().value()).isNaN();
        assertThat(after.samples("hot").getFirst().value()).isInfinite();
        RequestStats stats = RequestStats.between(before, after);
        assertThat(stats.requests()).isEqualTo(20);          // /metrics requests are not traffic
        assertThat(stats.p50Seconds()).isEqualTo(0.01);      // rank 10 of 20: the end of the first bucket
        assertThat(stats.p95Seconds()).isCloseTo(0.091, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(stats.errors()).isNaN();                  // no status label: no error figure

        List<MetricStore.SeriesPoints> startup = store.range(TUTOR, "demo_startup_seconds", T0, T0.plusSeconds(3600));
        assertThat(startup).hasSize(1);
        assertThat(startup.getFirst().labels()).isEqualTo(Map.of("agent", "x"));
        assertThat(startup.getFirst().points()).extracting(MetricStore.Point::scrapeId)
                .containsExactly(first.get(0).id(), second.get(0).id());
        assertThat(store.range(TUTOR, "demo_request_duration_seconds", T0, T0.plusSeconds(30))).hasSize(8);
        assertThat(store.range(TUTOR, "demo_startup_seconds", T0.plusSeconds(1), T0.plusSeconds(59))).isEmpty();
    }

    @Test
    void seriesIdsRememberedBetweenSavesAreForgottenWhenSeriesAreDeletedHereOrByAnotherConnection(HistoryDatabase db) {
        MetricStore store = new MetricStore(db);
        store.save(List.of(scraped(TUTOR, T0, 1, 0)), MetricStore.Source.SCRAPE);
        try (HistoryDatabase other = HistoryDatabase.open(db.file())) {
            assertThat(new MetricStore(other).prune(T0.plusSeconds(1)).series()).isEqualTo(11);
        }
        // the ids this connection remembers name deleted series now: a sample stored with one breaks its foreign key
        store.save(List.of(scraped(TUTOR, T0.plusSeconds(60), 2, 0)), MetricStore.Source.SCRAPE);
        new MetricStore(db).prune(T0.plusSeconds(61));
        List<MetricStore.StoredScrape> last = store.save(List.of(scraped(TUTOR, T0.plusSeconds(120), 3, 0)), MetricStore.Source.SCRAPE);

        assertThat(store.exposition(last.getFirst().id()).sampleCount()).isEqualTo(11);
        assertThat(store.range(TUTOR, "demo_startup_seconds", T0, T0.plusSeconds(3600)).getFirst().points())
                .extracting(MetricStore.Point::scrapeId).containsExactly(last.getFirst().id());
    }

    @Test
    void aBatchLargerThanOneExecuteBatchIsStoredWhole(HistoryDatabase db) {
        MetricStore store = new MetricStore(db);
        List<ScrapeResult> many = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(scraped(TUTOR, T0.plusSeconds(i), i, 1));
        }
        store.save(many, MetricStore.Source.SCRAPE);
        assertThat(store.range(TUTOR, "demo_startup_seconds", T0, T0.plusSeconds(300)).getFirst().points()).hasSize(200);
        int rows = db.read(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM metric_samples")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(rows).isEqualTo(200 * 11);
    }

    @Test
    void rowsFillingOneInsertStatementAndPartOfAnotherAreStoredWithTheirValues(HistoryDatabase db) {
        MetricStore store = new MetricStore(db);
        int scrapes = SampleRows.ROWS_PER_STATEMENT / 11 + 30; // 11 samples each: one full statement and a partial one
        List<ScrapeResult> many = new java.util.ArrayList<>();
        for (int i = 0; i < scrapes; i++) {
            many.add(scraped(TUTOR, T0.plusSeconds(i), i, 1));
        }
        List<MetricStore.StoredScrape> stored = store.save(many, MetricStore.Source.SCRAPE);

        assertThat(count(db, "SELECT COUNT(*) FROM metric_samples")).isEqualTo(scrapes * 11);
        Instant last = T0.plusSeconds(scrapes);
        List<MetricStore.SeriesPoints> fast = store.range(TUTOR, "demo_request_duration_seconds_bucket", T0, last).stream()
                .filter(s -> s.labels().equals(Map.of("path", "/run", "le", "0.01"))).toList();
        assertThat(fast.getFirst().points()).extracting(MetricStore.Point::value)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, scrapes).mapToObj(i -> (double) i).toList());
        assertThat(fast.getFirst().points()).extracting(MetricStore.Point::scrapeId)
                .containsExactlyElementsOf(stored.stream().map(MetricStore.StoredScrape::id).toList());
        assertThat(store.range(TUTOR, "weird", T0, last).getFirst().points()).hasSize(scrapes).allMatch(p -> Double.isNaN(p.value()));
        assertThat(store.range(TUTOR, "hot", T0, last).getFirst().points()).hasSize(scrapes)
                .allMatch(p -> p.value() == Double.POSITIVE_INFINITY);
    }

    @Test
    void aSampleKeepsItsSeriesWhenItMovesInTheScrapeAndANewLabelValueAtItsPlaceMakesANewOne(HistoryDatabase db) {
        MetricStore store = new MetricStore(db);
        store.save(List.of(scrapedText(TUTOR, T0, """
                # TYPE x gauge
                x{a="1",b="2"} 1
                x{a="2",b="2"} 2
                y 3
                """)), MetricStore.Source.SCRAPE);
        store.save(List.of(scrapedText(TUTOR, T0.plusSeconds(60), """
                # TYPE y gauge
                y 30
                # TYPE x gauge
                x{b="2",a="2"} 20
                x{a="1",b="2"} 10
                z 5
                """), scrapedText(TUTOR, T0.plusSeconds(120), """
                # TYPE x gauge
                x{a="1",b="3"} 100
                x{a="2",b="2"} 200
                y 300
                """)), MetricStore.Source.SCRAPE);

        Map<Map<String, String>, List<Double>> x = new java.util.HashMap<>();
        store.range(TUTOR, "x", T0, T0.plusSeconds(120))
                .forEach(s -> x.put(s.labels(), s.points().stream().map(MetricStore.Point::value).toList()));
        assertThat(x).isEqualTo(Map.of(Map.of("a", "1", "b", "2"), List.of(1.0, 10.0), Map.of("a", "2", "b", "2"), List.of(2.0, 20.0, 200.0),
                Map.of("a", "1", "b", "3"), List.of(100.0)));
        assertThat(store.range(TUTOR, "y", T0, T0.plusSeconds(120)).getFirst().points()).extracting(MetricStore.Point::value)
                .containsExactly(3.0, 30.0, 300.0);
        assertThat(count(db, "SELECT COUNT(*) FROM metric_series")).isEqualTo(5);
    }

    private static ScrapeResult scrapedText(AgentId agent, Instant at, String text) {
        return new ScrapeResult.Scraped(new ScrapeTarget(agent, URI.create("http://127.0.0.1:8230/metrics")), at, Duration.ofMillis(3),
                text.length(), ExpositionParser.parse(text, ExpositionFormat.TEXT));
    }

    private static int count(HistoryDatabase db, String sql) {
        return db.read(c -> {
            try (var rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Test
    void labelTextIsWhatJacksonWritesForTheSortedLabels() {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put("path", "C:\\dir \"quoted\"\nnext\ttab\u0001\u001f\b\f\r é ✓ /");
        labels.put("agent", "Tutor");
        labels.put("le", "+Inf");
        assertThat(Json.sortedLabels(labels)).isEqualTo(Json.write(new java.util.TreeMap<>(labels)));
        assertThat(Json.sortedLabels(Map.of())).isEqualTo("{}");
    }
}
