package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How one agent's health is checked: an HTTP GET that must answer 200, or a TCP connect that must
 * succeed. From the agent's {@code config: {health_check: ...}}, else the machine's
 * {@code global_settings.health_checks}: {@code type} ({@code http}, default, or {@code tcp}),
 * {@code path} (default {@code /health}), {@code timeout_seconds} (default 3). The port is the
 * agent's {@code health_check_port}, else (TCP only) its service port.
 */
public record ProbeTarget(AgentId agent, Kind kind, String host, int port, String path, Duration timeout) {

    public enum Kind { HTTP, TCP }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    /** The target, or empty when the agent has no port to check. */
    public static Optional<ProbeTarget> of(Agent agent, Machine machine) {
        Map<String, Object> settings = settings(agent, machine);
        Kind kind = "tcp".equalsIgnoreCase(String.valueOf(settings.getOrDefault("type", "http"))) ? Kind.TCP : Kind.HTTP;
        Integer port = agent.healthCheckPort() != null ? agent.healthCheckPort() : kind == Kind.TCP ? agent.port() : null;
        if (port == null && agent.port() != null) {
            // No health port: a service port that accepts connections is the best evidence there is.
            kind = Kind.TCP;
            port = agent.port();
        }
        if (port == null) {
            return Optional.empty();
        }
        String path = String.valueOf(settings.getOrDefault("path", "/health"));
        Duration timeout = DEFAULT_TIMEOUT;
        if (settings.get("timeout_seconds") instanceof Number seconds && seconds.doubleValue() > 0) {
            timeout = Duration.ofMillis(Math.round(seconds.doubleValue() * 1000));
        }
        return Optional.of(new ProbeTarget(agent.id(), kind, connectHost(agent.host()), port, path.startsWith("/") ? path : "/" + path, timeout));
    }

    /** The target with the settings of the agent's machine in the inventory (none when the machine is unknown). */
    public static Optional<ProbeTarget> of(Agent agent, Inventory inventory) {
        return of(agent, inventory.machine(agent.machine()).orElse(null));
    }

    /** What the probe asks, as evidence shows it: {@code GET http://127.0.0.1:8230/health} or {@code tcp 127.0.0.1:7230}. */
    public String describe() {
        return kind == Kind.HTTP ? "GET http://%s:%d%s".formatted(host, port, path) : "tcp %s:%d".formatted(host, port);
    }

    private static Map<String, Object> settings(Agent agent, Machine machine) {
        Object own = agent.config().get("health_check");
        if (own instanceof Map<?, ?> map) {
            return stringKeys(map);
        }
        if (own instanceof String type) {
            return Map.of("type", type);
        }
        return machine == null ? Map.of() : machine.healthCheck();
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** An agent bound to every interface is reached on the loopback address. */
    private static String connectHost(String host) {
        if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("localhost")) {
            return "127.0.0.1";
        }
        return host;
    }
}
