package io.fleetshell.engine.runtime;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks an agent whether it is healthy, once, within the target's timeout. HTTP is spoken over a
 * plain socket with {@code Connection: close}: every probe is a fresh connection (a pooled one to an
 * agent that was just restarted would fail for the wrong reason), and a hanging, half-answering or
 * garbage-speaking endpoint ends as a result, never as an exception.
 */
public final class HealthProbe {

    /** Enough for any health answer; more is cut off and the status line still counts. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final Pattern STATUS_LINE = Pattern.compile("^HTTP/\\d(?:\\.\\d)? (\\d{3})(?: .*)?$");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public ProbeResult probe(ProbeTarget target) {
        return probe(target, target.timeout());
    }

    /** Probes with a timeout of its own, e.g. the time left while waiting for a start. */
    public ProbeResult probe(ProbeTarget target, Duration timeout) {
        Instant at = Instant.now();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), millisLeft(deadline));
            if (target.kind() == ProbeTarget.Kind.TCP) {
                return result(target, at, start, ProbeResult.Outcome.HEALTHY, null, null, null, null);
            }
            socket.getOutputStream().write(("GET " + target.path() + " HTTP/1.1\r\nHost: " + target.host() + ":" + target.port()
                    + "\r\nUser-Agent: fleetshell\r\nAccept: application/json\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = readAnswer(socket, deadline);
            return interpret(target, at, start, answer);
        } catch (SocketTimeoutException e) {
            return result(target, at, start, ProbeResult.Outcome.TIMEOUT, null,
                    "no answer from %s within %d ms".formatted(target.describe(), timeout.toMillis()), null, null);
        } catch (IOException e) {
            return result(target, at, start, ProbeResult.Outcome.UNREACHABLE, null,
                    "%s: %s".formatted(target.describe(), e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), null, null);
        }
    }

    private static ProbeResult interpret(ProbeTarget target, Instant at, long start, String answer) {
        int headerEnd = answer.indexOf("\r\n\r\n");
        String head = headerEnd < 0 ? answer : answer.substring(0, headerEnd);
        String body = headerEnd < 0 ? "" : answer.substring(headerEnd + 4);
        String[] lines = head.split("\r\n");
        Matcher status = STATUS_LINE.matcher(lines.length == 0 ? "" : lines[0]);
        if (!status.matches()) {
            String shown = answer.isEmpty() ? "an empty answer" : "'" + oneLine(answer) + "'";
            return result(target, at, start, ProbeResult.Outcome.BAD_STATUS, null,
                    "%s: not an HTTP answer: %s".formatted(target.describe(), shown), null, null);
        }
        int code = Integer.parseInt(status.group(1));
        if (headerEnd < 0 && answer.getBytes(StandardCharsets.UTF_8).length >= MAX_ANSWER_BYTES) {
            // Headers with no end within 64 KB: no health endpoint needs that many; a 200 in front of them proves nothing.
            return result(target, at, start, ProbeResult.Outcome.BAD_STATUS, code,
                    "%s: HTTP %d, but its headers go on past %d KB, more than any health answer needs; not counted as healthy"
                            .formatted(target.describe(), code, MAX_ANSWER_BYTES / 1024), null, null);
        }
        if (headerEnd < 0) {
            // The connection closed inside the headers: the agent died or broke mid-answer; a 200 there proves nothing.
            return result(target, at, start, ProbeResult.Outcome.BAD_STATUS, code,
                    "%s: the answer broke off after '%s'".formatted(target.describe(), oneLine(answer)), null, null);
        }
        Long skew = null;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("date")) {
                skew = clockSkew(line.substring(colon + 1).trim());
            }
        }
        String reported = reportedAgent(body);
        if (code != 200) {
            return result(target, at, start, ProbeResult.Outcome.BAD_STATUS, code,
                    "%s answered HTTP %d%s".formatted(target.describe(), code, body.isBlank() ? "" : ": " + oneLine(body)), reported, skew);
        }
        return result(target, at, start, ProbeResult.Outcome.HEALTHY, code, null, reported, skew);
    }

    private static String readAnswer(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (answer.size() < MAX_ANSWER_BYTES) {
            socket.setSoTimeout(millisLeft(deadline));
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            answer.write(buffer, 0, n);
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    /** Milliseconds until the deadline, at least 1 (0 would mean "wait forever" to a socket). */
    private static int millisLeft(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static Long clockSkew(String date) {
        try {
            Instant remote = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return remote.toEpochMilli() - Instant.now().toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String reportedAgent(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode agent = node == null ? null : node.get("agent");
            return agent != null && agent.isString() ? agent.asString() : null;
        } catch (RuntimeException e) {
            return null; // a health answer need not be JSON
        }
    }

    private static ProbeResult result(ProbeTarget target, Instant at, long start, ProbeResult.Outcome outcome, Integer code,
                                      String detail, String reported, Long skew) {
        double millis = (System.nanoTime() - start) / 1e6;
        return new ProbeResult(target.agent(), at, target.describe(), outcome, code, millis, detail, reported, skew, null);
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }
}
