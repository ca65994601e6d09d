package io.fleetshell.engine.runtime;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Synthetic requests to one agent at a bounded rate, so that the latency and error gates have data on a fleet
 * without live traffic. Only {@code GET} is sent (a rollout must not change what the agent stores), and only to the
 * agent itself: its service port on the loopback address or the host its config names; a request written as a URL
 * to any other host is refused before anything is sent. Each request is a fresh connection with a timeout,
 * like the health probe, so a hung agent ends as a failed sample, never as a hang.
 *
 * @param path    the path and query, e.g. {@code /run?x=1}
 * @param host    the host of a request written as a URL (checked against the agent's host), else null
 * @param port    the port to send to; null: the agent's service {@code port}
 * @param rate    requests per second (at most {@link #MAX_RATE})
 * @param timeout per request
 */
public record SyntheticTraffic(String path, String host, Integer port, double rate, Duration timeout) {

    public static final double MAX_RATE = 100;
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    /**
     * Reads {@code GET /run?x=1} or {@code GET http://127.0.0.1:7230/run}; {@code where} names the setting in errors.
     * A URL's host must be the loopback address or the agent's own host (checked by {@link #target}).
     */
    public static SyntheticTraffic parse(String request, double rate, String where) {
        String text = request == null ? "" : request.strip();
        String[] parts = text.split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equals("GET")) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, ("%s: request '%s' is not 'GET PATH'; write it like "
                    + "request: GET /run?x=1 (only GET is sent, to the agent's own port)").formatted(where, text));
        }
        if (!(rate > 0 && rate <= MAX_RATE)) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: rate %s is out of range; write it like rate: 10/s (at most %.0f/s)"
                    .formatted(where, rate, MAX_RATE));
        }
        String target = parts[1];
        if (target.startsWith("/")) {
            return new SyntheticTraffic(target, null, null, rate, Duration.ofSeconds(5));
        }
        URI uri;
        try {
            uri = URI.create(target);
        } catch (IllegalArgumentException e) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: '%s' is neither a path (/run) nor a URL".formatted(where, target));
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: '%s' is not an http:// URL; write a path like /run".formatted(where, target));
        }
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new SyntheticTraffic(path, uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), rate, Duration.ofSeconds(5));
    }

    /** {@code GET /run?x=1 at 10/s}, as evidence shows it. */
    public String describe() {
        return "GET %s%s at %s/s".formatted(port == null ? "" : ":" + port, path, rate == Math.rint(rate) ? String.valueOf((long) rate)
                : String.valueOf(rate));
    }

    /**
     * Where the requests go for this agent, or empty when it has no service port. A URL naming a host that is neither
     * the loopback address nor the agent's configured host is refused: the analysis never sends traffic elsewhere.
     */
    public java.util.Optional<ProbeTarget> target(Agent agent) {
        String own = agent.host() == null || agent.host().isBlank() || agent.host().equals("0.0.0.0") || agent.host().equals("::")
                ? "127.0.0.1" : agent.host();
        if (host != null && !LOOPBACK.contains(host.toLowerCase(Locale.ROOT)) && !host.equalsIgnoreCase(own)) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, ("analysis request of %s goes to %s; synthetic traffic goes only to "
                    + "the agent itself (127.0.0.1 or its configured host %s): write a path like /run and fleetshell sends it to the "
                    + "agent's port. Nothing was changed").formatted(agent.id(), host, own));
        }
        Integer to = port != null ? port : agent.port();
        if (to == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new ProbeTarget(agent.id(), ProbeTarget.Kind.HTTP, host == null ? own : host,
                to, path, timeout));
    }

    /** Sends one request; {@code ordinal} is its number since the agent's start. Returns the sample, unstored. */
    public static RequestSample once(ProbeTarget target, int ordinal) {
        ProbeResult answer = new HealthProbe().probe(target);
        String error = answer.statusCode() == null ? answer.detail() : null;
        return new RequestSample(0, target.agent(), answer.at(), "GET " + target.path(), answer.statusCode(), answer.millis(), error, ordinal);
    }
}
