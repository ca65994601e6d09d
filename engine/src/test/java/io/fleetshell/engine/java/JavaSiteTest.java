package io.fleetshell.engine.java;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.MachineOverride;
import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JavaSite#ship} on a host this JVM cannot see (a real sshd in a mount namespace of its own): the trees arrive
 * whole in one directory of the host's temporary directory (long names included), {@link JavaSite#remove} leaves
 * nothing, and what a fleetshell that is gone shipped there is removed by the next ship to that host.
 */
class JavaSiteTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static Host host;
    static JavaSite site;

    @BeforeAll
    static void start() throws Exception {
        Path remote = dir.resolve("srv");
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "javahost", remote, 0);
        SshAccess a = sshd.access();
        SshAccess access = new SshAccess(a.destination(), a.port(), a.identityFile(), a.sshConfig(), a.options(), a.tunnel(), a.forks(),
                remote.resolve("state").toString());
        Hosts hosts = new Hosts(new FleetHome(dir.resolve("home")), Map.of("m", new MachineOverride(Map.of(), Map.of(), null, access, remote)));
        host = hosts.of("m", access, "python3");
        site = new JavaSite(host, new Machine("m", remote, "python3", Map.of(), Map.of(), access), "python3");
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    @Test
    void shippedTreesArriveWholeAndAreRemovedAfterwardsAndADeadShellsAreSwept() throws Exception {
        // what a fleetshell killed while its build was shipped left: its pid is gone
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path temporary = host.temporaryDirectory();
        Path left = temporary.resolve("fleetshell-java-proof-p" + gone.pid() + "-0a1b2c3d");
        sshd.inside("mkdir", "-p", "--", left.resolve("before").toString());

        Path classes = Files.createDirectories(dir.resolve("build/classes/com/example"));
        Files.writeString(classes.resolve("Agent.class"), "class bytes");
        String longName = "x".repeat(90) + "/" + "y".repeat(90) + "/Z$Holder.class";
        Files.createDirectories(dir.resolve("build/classes").resolve(longName).getParent());
        Files.write(dir.resolve("build/classes").resolve(longName), new byte[1500]);
        Path src = Files.createDirectories(dir.resolve("build/src"));
        Files.writeString(src.resolve("Agent.java"), "class Agent {}\n");
        Map<String, Path> trees = new LinkedHashMap<>();
        trees.put("after", dir.resolve("build/classes"));
        trees.put("src", src);

        Path there = site.ship("java-proof", trees);

        assertThat(there.getParent()).isEqualTo(temporary);
        assertThat(there.getFileName().toString()).startsWith("fleetshell-java-proof" + Leftovers.mark());
        assertThat(sshd.readString(there.resolve("after/com/example/Agent.class"))).isEqualTo("class bytes");
        assertThat(sshd.inside("stat", "-c", "%s", "--", there.resolve("after").resolve(longName).toString()).strip()).isEqualTo("1500");
        assertThat(sshd.readString(there.resolve("src/Agent.java"))).isEqualTo("class Agent {}\n");
        assertThat(sshd.exists(left)).as("a dead fleetshell's shipment is swept by the next ship").isFalse();

        site.remove(there);
        assertThat(host.list(temporary)).isEmpty();
        assertThat(sshd.exists(there)).isFalse();
    }
}
