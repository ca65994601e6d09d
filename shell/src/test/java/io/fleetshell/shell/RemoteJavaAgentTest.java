package io.fleetshell.shell;

import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Java agent of a machine whose fleet root exists only on its host (a real sshd in a mount namespace of its own,
 * {@link Sshd#startIsolated}): {@code profile}, {@code optimize --dry-run}, {@code batch deploy} and {@code rollback} of
 * pc2's RouteMatcherAgent (and {@code score}) read its source there, compile it here and start it there with the machine's {@code java:},
 * and leave nothing of their builds in the host's temporary directory. A machine's {@code java} that is missing or
 * older than the oldest release fleetshell builds for (Java 11; an older one such as 17 gets classes built for it) is refused before anything runs, naming machine, launcher and setting.
 */
class RemoteJavaAgentTest {

    private static final String AGENT = "pc2/RouteMatcherAgent";

    @TempDir
    static Path home;
    @TempDir
    static Path dir;

    private static RemotePc2 pc2;
    private static Sshd sshd;
    private static ShellHarness shell;
    private static Path state;
    private static Path script;

    @BeforeAll
    static void remoteFleet() throws Exception {
        pc2 = RemotePc2.start(dir, home, "fleet", 14000);
        sshd = pc2.sshd();
        shell = pc2.shell();
        state = pc2.state();
        script = pc2.root().resolve("pc2_code/jvm/RouteMatcherAgent.java");
        Path remote = pc2.remote();
        // a "java" that starts but is Java 8 (older than JavaSite.OLDEST), as -XshowSettings:properties prints it
        sshd.inside("mkdir", "-p", "--", remote.resolve("old-jdk/bin").toString());
        Path oldJava = remote.resolve("old-jdk/bin/java");
        sshd.writeString(oldJava, "#!/bin/sh\necho 'Property settings:' >&2\necho '    java.home = " + remote.resolve("old-jdk")
                + "' >&2\necho '    java.specification.version = 1.8' >&2\necho 'openjdk version \"1.8.0_402\"' >&2\n");
        sshd.inside("chmod", "755", "--", oldJava.toString());
        settings(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pc2.load();
    }

    private static void settings(String java) throws Exception {
        pc2.configure("java: " + java);
    }

    @AfterAll
    static void stop() throws Exception {
        if (shell != null) {
            shell.oneShot("agents", "stop", "--all");
        }
        if (pc2 != null) {
            pc2.close();
        }
    }

    /** What fleetshell made in the host's temporary directory and left there. */
    private static String leftovers() throws Exception {
        return sshd.inside("sh", "-c", "ls -A \"$1\" 2>/dev/null || true", "sh", state.resolve("tmp").toString()).strip();
    }

    @Test
    void profileOptimizeDeployAndRollbackRunTheJavaAgentOnItsHost() throws Exception {
        String original = sshd.sha256(script);

        ShellHarness.Run profile = timed("profile", AGENT, "--runs", "2");
        assertThat(profile.status()).as(profile.out() + profile.err()).isZero();
        assertThat(profile.err()).doesNotContain("not profiled");
        assertThat(profile.out()).contains("RouteMatcherAgent");
        assertThat(leftovers()).isEmpty();
        ShellHarness.Run score = timed("score", AGENT);
        assertThat(score.status()).as(score.out() + score.err()).isZero();
        assertThat(score.out()).contains("RouteMatcherAgent").doesNotContain("UNREADABLE", "cannot read");

        ShellHarness.Run dryRun = timed("optimize", AGENT, "--dry-run", "--runs", "4");
        assertThat(dryRun.status()).as(dryRun.out() + dryRun.err()).isZero();
        assertThat(dryRun.out()).contains("java_lazy_holder", "start to healthy");
        assertThat(sshd.sha256(script)).isEqualTo(original);
        assertThat(leftovers()).isEmpty();

        ShellHarness.Run deploy = timed("batch", "deploy", "--agents", "RouteMatcherAgent", "--batch-size", "1", "--runs", "4", "--yes");
        String said = deploy.out() + deploy.err();
        assertThat(deploy.status()).as(said).isZero();
        assertThat(said).doesNotContain("proof failed");
        assertThat(sshd.sha256(script)).as(said).isNotEqualTo(original);
        assertThat(sshd.readString(script)).contains("Holder");
        assertThat(leftovers()).isEmpty();

        ShellHarness.Run rollback = timed("rollback", "--deployment", "1", "--yes");
        assertThat(rollback.status()).as(rollback.out() + rollback.err()).isZero();
        assertThat(sshd.sha256(script)).isEqualTo(original);
    }

    @Test
    void aJava17OnTheHostIsProfiledWithClassesBuiltForRelease17() throws Exception {
        Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        assumeTrue(Files.isExecutable(java17), "a Java 17 at " + java17);
        try {
            settings(java17.toString());
            assertThat(shell.oneShot("inventory", "refresh").status()).isZero();
            ShellHarness.Run profile = timed("profile", AGENT, "--runs", "1");
            String said = profile.out() + profile.err();
            assertThat(profile.status()).as(said).isZero();
            assertThat(said).contains("RouteMatcherAgent").doesNotContain("FAILED", "UnsupportedClassVersionError");
            assertThat(leftovers()).isEmpty();
        } finally {
            settings(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            shell.oneShot("inventory", "refresh");
        }
    }

    @Test
    void aMissingOrTooOldJavaOnTheMachineIsRefusedNamingMachineLauncherAndSetting() throws Exception {
        Path oldJava = dir.resolve("srv/old-jdk/bin/java");
        Path missing = dir.resolve("srv/no-jdk/bin/java");
        try {
            settings(oldJava.toString());
            assertThat(shell.oneShot("inventory", "refresh").status()).isZero();
            ShellHarness.Run old = shell.oneShot("profile", AGENT, "--runs", "1");
            assertThat(old.status()).as(old.out() + old.err()).isNotZero();
            assertThat(old.err()).contains("java '" + oldJava + "' of machine pc2 (pc2host) is Java 1.8 (" + dir.resolve("srv/old-jdk")
                    + "), older than Java 11, the oldest release fleetshell builds the agent's classes for",
                    "set machines.pc2.java: in FLEETSHELL_HOME/settings.yaml", "to a Java 11 or newer on that machine", "nothing was changed");

            settings(missing.toString());
            assertThat(shell.oneShot("inventory", "refresh").status()).isZero();
            ShellHarness.Run none = shell.oneShot("optimize", AGENT, "--dry-run", "--runs", "4");
            assertThat(none.status()).as(none.out() + none.err()).isNotZero();
            assertThat(none.err()).contains("java '" + missing + "' of machine pc2 (pc2host)", "set machines.pc2.java: in FLEETSHELL_HOME/settings.yaml",
                    "nothing was changed");
            assertThat(leftovers()).isEmpty();
        } finally {
            settings(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            shell.oneShot("inventory", "refresh");
        }
    }

    /** One command, its wall time on stderr: on a loaded machine the loop's time is where its steps went. */
    private static ShellHarness.Run timed(String... args) {
        long started = System.nanoTime();
        ShellHarness.Run run = shell.oneShot(args);
        System.err.printf("RemoteJavaAgentTest: %s took %.1f s (load average %.1f)%n", String.join(" ", args), (System.nanoTime() - started) / 1e9,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return run;
    }
}
