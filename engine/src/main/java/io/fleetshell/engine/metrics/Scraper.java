package io.fleetshell.engine.metrics;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrapes {@code /metrics} endpoints over HTTP/1.1 ({@link MetricsHttp}, keep-alive), at most {@code concurrency}
 * at once on a pool of platform threads, each within its own timeout (connect, answer and body together). Every outcome is a {@link ScrapeResult}: an endpoint that
 * hangs, answers 500, serves garbage, is cut off or dies mid-answer fails alone while the others carry on.
 * One scraper keeps its connections open between cycles, as {@code watch} needs; close it when done.
 */
public final class Scraper implements MetricSource {

    /** Larger answers are refused: a dozen histograms are a few KiB, and a runaway endpoint must not fill memory. */
    public static final long DEFAULT_MAX_BYTES = 10L << 20;

    private static final Pattern CHARSET = Pattern.compile("charset=\"?([^\";]+)", Pattern.CASE_INSENSITIVE);

    private final Duration timeout;
    private final int concurrency;
    private final long maxBytes;
    /**
     * Platform threads, not virtual ones: a virtual scrape waits for a free carrier, and code elsewhere in the JVM
     * that blocks carriers (reading a child process's pipe, a native call) held every scrape of a cycle back until
     * it ended (seen in MetricsCommandsTest). Each worker's socket reads end at the target's timeout.
     */
    private final ThreadPoolExecutor threads;
    private final MetricsHttp http;

    public Scraper(Duration timeout, int concurrency) {
        this(timeout, concurrency, DEFAULT_MAX_BYTES);
    }

    public Scraper(Duration timeout, int concurrency, long maxBytes) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be 1 or more");
        }
        this.timeout = timeout;
        this.concurrency = concurrency;
        this.maxBytes = maxBytes;
        this.http = new MetricsHttp(maxBytes);
        AtomicInteger named = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(concurrency, concurrency, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread t = new Thread(task, "scrape-" + named.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.threads.allowCoreThreadTimeOut(true);
    }

    /**
     * Scrapes every target (at most {@code concurrency} at once) and returns their results in the targets' order.
     * Workers take the next target from a shared counter: one task per worker, not per target.
     */
    public List<ScrapeResult> scrapeAll(List<ScrapeTarget> targets) {
        ScrapeResult[] results = new ScrapeResult[targets.size()];
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(concurrency, targets.size());
        List<Future<?>> running = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            running.add(threads.submit(() -> {
                for (int i = next.getAndIncrement(); i < results.length; i = next.getAndIncrement()) {
                    results[i] = scrape(targets.get(i));
                }
            }));
        }
        try {
            for (Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            running.forEach(f -> f.cancel(true)); // workers end at their targets' timeouts at the latest
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while scraping");
        } catch (ExecutionException e) {
            throw new IllegalStateException("a scrape worker failed", e.getCause());
        }
        return Arrays.asList(results);
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
        if (!"http".equalsIgnoreCase(target.uri().getScheme()) || target.uri().getHost() == null) {
            return failed(target, at, start, ScrapeResult.Failure.UNREACHABLE, target.uri() + " is not an http://HOST:PORT/ URL");
        }
        MetricsHttp.Answer answer;
        try {
            answer = http.get(target.uri(), ExpositionFormat.ACCEPT, start + timeout.toNanos());
        } catch (SocketTimeoutException e) {
            return failed(target, at, start, ScrapeResult.Failure.TIMEOUT, "no complete answer within " + seconds(timeout));
        } catch (MetricsHttp.TooLarge e) {
            return failed(target, at, start, ScrapeResult.Failure.TOO_LARGE, "the answer is larger than " + (maxBytes >> 20) + " MiB");
        } catch (ConnectException e) {
            return failed(target, at, start, ScrapeResult.Failure.UNREACHABLE, "connection refused at " + target.uri()
                    + ": is the agent running?");
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return failed(target, at, start, ScrapeResult.Failure.TIMEOUT, "interrupted");
            }
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return failed(target, at, start, ScrapeResult.Failure.UNREACHABLE, "the connection to " + target.uri()
                    + " failed: " + detail);
        }
        if (answer.status() != 200) {
            return failed(target, at, start, ScrapeResult.Failure.HTTP_STATUS, "HTTP " + answer.status() + " from " + target.uri());
        }
        ExpositionFormat format = ExpositionFormat.ofContentType(answer.contentType());
        byte[] body = answer.body();
        try {
            Exposition exposition = ExpositionParser.parse(new String(body, charset(answer.contentType())), format);
            return new ScrapeResult.Scraped(target, at, Duration.ofNanos(System.nanoTime() - start), body.length, exposition);
        } catch (MalformedExpositionException e) {
            return failed(target, at, start, ScrapeResult.Failure.MALFORMED, "%s is not valid %s: %s".formatted(target.uri(),
                    format == ExpositionFormat.OPENMETRICS ? "OpenMetrics" : "Prometheus text format", e.getMessage()));
        }
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
        threads.shutdownNow();
        http.close();
    }
}
