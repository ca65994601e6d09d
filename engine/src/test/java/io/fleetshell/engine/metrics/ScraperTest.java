package io.fleetshell.engine.metrics;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The scraper against a real Python HTTP server whose endpoints hang, fail, serve garbage or die mid-answer. */
class ScraperTest {

    @TempDir
    Path dir;
    private Process server;
    private int port;

    @BeforeEach
    void startServer() throws IOException {
        Path script = dir.resolve("misbehaving_endpoints.py");
        try (InputStream in = ScraperTest.class.getResourceAsStream("misbehaving_endpoints.py")) {
            Files.copy(in, script);
        }
        server = new ProcessBuilder("python3", script.toString()).redirectErrorStream(true).start();
        String first = Await.line(server, "port ", Duration.ofSeconds(60));
        port = Integer.parseInt(first.substring(5).trim());
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        server.destroy();
        server.waitFor(5, TimeUnit.SECONDS);
    }

    private ScrapeTarget target(String name, String path) {
        return new ScrapeTarget(new AgentId("m", name), URI.create("http://127.0.0.1:" + port + path));
    }

    @Test
    void everyMisbehavingEndpointFailsAloneWhileTheOthersAreScraped() throws IOException {
        int closedPort = Ports.free();
        List<ScrapeTarget> targets = List.of(target("Ok", "/ok"), target("Om", "/om"), target("Err", "/500"),
                target("Garbage", "/garbage"), target("Hang", "/hang"), target("SlowBody", "/slowbody"),
                target("Truncated", "/truncated"),
                new ScrapeTarget(new AgentId("m", "Down"), URI.create("http://127.0.0.1:" + closedPort + "/metrics")),
                target("Ok2", "/ok"));
        long start = System.nanoTime();
        List<ScrapeResult> results;
        try (Scraper scraper = new Scraper(Duration.ofMillis(1500), 4)) {
            results = scraper.scrapeAll(targets);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("hanging targets are cut at their timeout")
                .isLessThan(Duration.ofSeconds(15)); // about 3 s: two waves of 1.5 s timeouts; uncut, for ever

        assertThat(results).extracting(r -> r.target().agent().name())
                .containsExactly("Ok", "Om", "Err", "Garbage", "Hang", "SlowBody", "Truncated", "Down", "Ok2");

        ScrapeResult.Scraped ok = (ScrapeResult.Scraped) results.get(0);
        assertThat(ok.exposition().format()).isEqualTo(ExpositionFormat.TEXT);
        assertThat(ok.exposition().samples("nan_gauge").getFirst().value()).isNaN();
        assertThat(RequestStats.between(new Exposition(ExpositionFormat.TEXT, List.of()), ok.exposition()).errors()).isEqualTo(1);
        ScrapeResult.Scraped om = (ScrapeResult.Scraped) results.get(1);
        assertThat(om.exposition().format()).isEqualTo(ExpositionFormat.OPENMETRICS);
        assertThat(om.exposition().samples("c_total").getFirst().timestampMillis()).isEqualTo(1_700_000_000_500L);

        assertFailed(results.get(2), ScrapeResult.Failure.HTTP_STATUS, "HTTP 500");
        assertFailed(results.get(3), ScrapeResult.Failure.MALFORMED, "line 1, column 1: expected a metric name, found '<'");
        assertFailed(results.get(4), ScrapeResult.Failure.TIMEOUT, "within 1.5 s");
        assertFailed(results.get(5), ScrapeResult.Failure.TIMEOUT, "within 1.5 s");
        assertFailed(results.get(6), ScrapeResult.Failure.UNREACHABLE, "failed");
        assertFailed(results.get(7), ScrapeResult.Failure.UNREACHABLE, "connection refused");
        assertThat(results.get(8)).isInstanceOf(ScrapeResult.Scraped.class);
    }

    @Test
    void aServerThatExitsMidAnswerIsThatTargetsErrorAndLaterScrapesFindItGone() throws Exception {
        try (Scraper scraper = new Scraper(Duration.ofSeconds(3), 2)) {
            assertThat(scraper.scrape(target("Ok", "/ok"))).isInstanceOf(ScrapeResult.Scraped.class);
            assertFailed(scraper.scrape(target("Dying", "/exit")), ScrapeResult.Failure.UNREACHABLE, "");
            assertThat(server.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertFailed(scraper.scrape(target("Ok", "/ok")), ScrapeResult.Failure.UNREACHABLE, "");
        }
    }

    @Test
    void aConnectionIsKeptAliveBetweenScrapesAndAChunkedBodyIsRead() {
        try (Scraper scraper = new Scraper(Duration.ofSeconds(3), 1)) {
            assertThat(connectionRequests(scraper.scrape(target("Conn", "/conn")))).isEqualTo(1);
            assertThat(connectionRequests(scraper.scrape(target("Conn", "/conn")))).as("the second scrape reuses the connection")
                    .isEqualTo(2);
            ScrapeResult chunked = scraper.scrape(target("Chunked", "/chunked"));
            assertThat(chunked).isInstanceOf(ScrapeResult.Scraped.class);
            assertThat(((ScrapeResult.Scraped) chunked).exposition().samples("demo_requests_total")).hasSize(2);
        }
    }

    @Test
    void aKeptConnectionTheEndpointClosedWhileIdleIsReplacedByANewOne() {
        try (Scraper scraper = new Scraper(Duration.ofSeconds(3), 1)) {
            for (int i = 0; i < 3; i++) {
                assertThat(scraper.scrape(target("Closing", "/closing"))).as("scrape " + i).isInstanceOf(ScrapeResult.Scraped.class);
            }
            assertThat(connectionRequests(scraper.scrape(target("Conn", "/conn")))).isEqualTo(1);
        }
    }

    private static double connectionRequests(ScrapeResult result) {
        assertThat(result).isInstanceOf(ScrapeResult.Scraped.class);
        return ((ScrapeResult.Scraped) result).exposition().samples("connection_requests").getFirst().value();
    }

    @Test
    void anAnswerLargerThanTheLimitIsRefused() {
        try (Scraper scraper = new Scraper(Duration.ofSeconds(3), 1, 100)) {
            assertFailed(scraper.scrape(target("Ok", "/ok")), ScrapeResult.Failure.TOO_LARGE, "larger than");
        }
    }

    private static void assertFailed(ScrapeResult result, ScrapeResult.Failure failure, String message) {
        assertThat(result).isInstanceOfSatisfying(ScrapeResult.Failed.class, f -> {
            assertThat(f.failure()).as(f.message()).isEqualTo(failure);
            assertThat(f.message()).contains(message);
        });
    }
}
