package io.fleetshell.engine.metrics;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrapes {@code /metrics} endpoints over HTTP/1.1, at most {@code concurrency} at once, each within its own
 * timeout (connect, answer and body together). Every outcome is a {@link ScrapeResult}: an endpoint that
 * hangs, answers 500, serves garbage, is cut off or dies mid-answer fails alone while the others carry on.
 * One scraper keeps its connections open between cycles, as {@code watch} needs; close it when done.
 */
public final class Scraper implements MetricSource {

    /** Larger answers are refused: a dozen histograms are a few KiB, and a runaway endpoint must not fill memory. */
    public static final long DEFAULT_MAX_BYTES = 10L << 20;

    private static final Pattern CHARSET = Pattern.compile("charset=\"?([^\";]+)", Pattern.CASE_INSENSITIVE);

    private final Duration timeout;
    private final Semaphore slots;
    private final long maxBytes;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client;

    public Scraper(Duration timeout, int concurrency) {
        this(timeout, concurrency, DEFAULT_MAX_BYTES);
    }

    public Scraper(Duration timeout, int concurrency, long maxBytes) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be 1 or more");
        }
        this.timeout = timeout;
        this.slots = new Semaphore(concurrency);
        this.maxBytes = maxBytes;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .executor(threads)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Scrapes every target (at most {@code concurrency} at once) and returns their results in the targets' order. */
    public List<ScrapeResult> scrapeAll(List<ScrapeTarget> targets) {
        List<CompletableFuture<ScrapeResult>> futures = new ArrayList<>(targets.size());
        for (ScrapeTarget target : targets) {
            futures.add(CompletableFuture.supplyAsync(() -> {
                slots.acquireUninterruptibly();
                try {
                    return scrape(target);
                } finally {
                    slots.release();
                }
            }, threads));
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    @Override
    public List<ScrapeResult> read(List<ScrapeTarget> targets) {
        return scrapeAll(targets);
    }

    @Override
    public String describe() {
        return "the agents' /metrics endpoints";
    }

    /** Scrapes one target, on the calling thread. */
    public ScrapeResult scrape(ScrapeTarget target) {
        Instant at = Instant.now();
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(target.uri())
                .timeout(timeout)
                .header("Accept", ExpositionFormat.ACCEPT)
                .header("User-Agent", "fleetshell")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> sent = client.sendAsync(request,
                HttpResponse.BodyHandlers.limiting(HttpResponse.BodyHandlers.ofByteArray(), maxBytes));
        HttpResponse<byte[]> response;
        try {
            // The request timeout ends when the headers arrive; a body that trickles in must end in time too.
            response = sent.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            sent.cancel(true);
            return failed(target, at, start, ScrapeResult.Failure.TIMEOUT, "no complete answer within " + seconds(timeout));
        } catch (InterruptedException e) {
            sent.cancel(true);
            Thread.currentThread().interrupt();
            return failed(target, at, start, ScrapeResult.Failure.TIMEOUT, "interrupted");
        } catch (ExecutionException | CancellationException e) {
            return failure(target, at, start, e.getCause() == null ? e : e.getCause());
        }
        if (response.statusCode() != 200) {
            return failed(target, at, start, ScrapeResult.Failure.HTTP_STATUS, "HTTP " + response.statusCode()
                    + " from " + target.uri());
        }
        String contentType = response.headers().firstValue("Content-Type").orElse(null);
        ExpositionFormat format = ExpositionFormat.ofContentType(contentType);
        byte[] body = response.body();
        try {
            Exposition exposition = ExpositionParser.parse(new String(body, charset(contentType)), format);
            return new ScrapeResult.Scraped(target, at, Duration.ofNanos(System.nanoTime() - start), body.length, exposition);
        } catch (MalformedExpositionException e) {
            return failed(target, at, start, ScrapeResult.Failure.MALFORMED, "%s is not valid %s: %s".formatted(target.uri(),
                    format == ExpositionFormat.OPENMETRICS ? "OpenMetrics" : "Prometheus text format", e.getMessage()));
        }
    }

    private ScrapeResult failure(ScrapeTarget target, Instant at, long start, Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return failed(target, at, start, ScrapeResult.Failure.TIMEOUT, "no answer within " + seconds(timeout));
        }
        if (cause instanceof IOException io && io.getMessage() != null
                && io.getMessage().toLowerCase(Locale.ROOT).contains("exceeds")) { // BodyHandlers.limiting: "body exceeds capacity"
            return failed(target, at, start, ScrapeResult.Failure.TOO_LARGE, "the answer is larger than " + (maxBytes >> 20) + " MiB");
        }
        if (cause instanceof ConnectException) {
            return failed(target, at, start, ScrapeResult.Failure.UNREACHABLE, "connection refused at " + target.uri()
                    + ": is the agent running?");
        }
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return failed(target, at, start, ScrapeResult.Failure.UNREACHABLE, "the connection to " + target.uri()
                + " failed: " + detail);
    }

    private static ScrapeResult failed(ScrapeTarget target, Instant at, long start, ScrapeResult.Failure failure, String message) {
        return new ScrapeResult.Failed(target, at, Duration.ofNanos(System.nanoTime() - start), failure, message);
    }

    private static Charset charset(String contentType) {
        if (contentType != null) {
            Matcher m = CHARSET.matcher(contentType);
            if (m.find()) {
                try {
                    return Charset.forName(m.group(1).trim());
                } catch (IllegalArgumentException unknown) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : "%.1f s".formatted(d.toMillis() / 1000.0);
    }

    @Override
    public void close() {
        client.close();
        threads.close();
    }
}
