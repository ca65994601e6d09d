package io.fleetshell.testing;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for the agents, endpoints and servers that tests start. {@code new ServerSocket(0)} hands out a port of
 * the kernel's ephemeral range, where any outgoing connection (the test's own HTTP client, a probe, another
 * build on the machine) can take it between the test closing that socket and the agent binding it, and two
 * calls may return the same port. These come from just below the ephemeral range instead, which the kernel never
 * picks for a connection, each at most once per JVM, starting at an offset drawn from the pid so that test JVMs
 * running side by side walk different stretches, and each is checked free on the wildcard address (as an agent
 * binding {@code 0.0.0.0} would need it) right before it is handed out.
 */
public final class Ports {

    private static final int SPAN = 8_000;
    private static final int FIRST = firstPort();
    private static final AtomicInteger NEXT = new AtomicInteger((int) (ProcessHandle.current().pid() * 7919 % SPAN));

    private Ports() {
    }

    /** A loopback port nothing listens on and no other call of this JVM returned. */
    public static int free() {
        for (int tries = 0; tries < SPAN; tries++) {
            int port = FIRST + Math.floorMod(NEXT.getAndIncrement(), SPAN);
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(false);
                probe.bind(new InetSocketAddress(port));
                return port;
            } catch (BindException taken) {
                // in use by another process or JVM: the next one
            } catch (IOException e) {
                throw new IllegalStateException("cannot check port " + port + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("no free port in " + FIRST + "-" + (FIRST + SPAN - 1));
    }

    /** The SPAN ports right below the kernel's ephemeral range ({@code ip_local_port_range}, 32768 by default). */
    private static int firstPort() {
        int ephemeralLow = 32_768;
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            ephemeralLow = Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the kernel default
        }
        return Math.max(10_000, ephemeralLow - SPAN);
    }
}
