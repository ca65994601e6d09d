package io.fleetshell.shell;

import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared modules of a machine reached over ssh (a real sshd in a mount namespace of its own, whose fleet root and state
 * directory this JVM cannot see): {@code optimize --modules} proves the joint change on the host (the copy of the fleet
 * root made there, the dependents loaded there) and leaves nothing there; {@code batch deploy --modules} writes the
 * module step's files on the host, and {@code rollback MODULE} restores them byte-exact there and removes the helper.
 * Every file of pc2 is looked at through the namespace ({@link Sshd#sha256}, {@link Sshd#exists}).
 */
class RemoteSharedModuleTest {

    private static final String MODULES = "common.text_features,common.spelling";

    @TempDir
    Path home;
    @TempDir
    Path dir;

    private final JsonMapper json = JsonMapper.builder().build();
    private RemotePc2 pc2;
    private Sshd sshd;
    private ShellHarness shell;

    @AfterEach
    void stop() throws InterruptedException {
        if (pc2 != null) {
            pc2.close();
        }
    }

    /** pc2 alone in the inventory, its tree on the isolated host under {@code root} (the settings' root is {@code configured}). */
    private Path remoteFleet(Path remote, String configuredRoot) throws Exception {
        pc2 = RemotePc2.start(dir, home, "fleet", 14000);
        sshd = pc2.sshd();
        shell = pc2.shell();
        Path root = pc2.root();
        assertThat(pc2.remote()).isEqualTo(remote);
        if (!configuredRoot.equals(root.toString())) {
            sshd.inside("ln", "-s", "--", root.toString(), configuredRoot);
        }
        pc2.configureAt(configuredRoot);
        pc2.loadFrom(configuredRoot, "pc2_code", "main_pc_code");
        return root;
    }

    @Test
    void aJointChangeOfAnSshMachinesModulesIsProvedDeployedAndRolledBackOnTheHost() throws Exception {
        Path remote = dir.resolve("srv");
        Path root = remoteFleet(remote, remote.resolve("fleet").toString());
        Path features = root.resolve("common/text_features.py");
        Path spelling = root.resolve("common/spelling.py");
        Path helper = root.resolve("common/_fleetshell_lazy.py");
        String featuresBefore = sshd.sha256(features);
        String spellingBefore = sshd.sha256(spelling);

        ShellHarness.Run dry = run("optimize", "--modules", MODULES, "--dry-run", "--runs", "6", "--json");
        assertThat(dry.status()).as(dry.out() + dry.err()).isZero();
        JsonNode joint = json.readTree(dry.out());
        assertThat(joint.get("dependents").toString()).contains("pc2/TranslationService");
        assertThat(joint.get("proof").get("deployable").asBoolean()).as(joint.get("proof").toString()).isTrue();
        assertThat(sshd.sha256(features)).as("a dry run changes nothing").isEqualTo(featuresBefore);
        assertThat(sshd.exists(helper)).isFalse();
        assertThat(leftovers(remote, root)).as("the proof's copies and siblings are removed from the host").isEmpty();

        ShellHarness.Run deploy = run("batch", "deploy", "--modules", MODULES, "--runs", "6", "--interval", "0", "--yes", "--json");
        assertThat(deploy.status()).as(deploy.out() + deploy.err()).isZero();
        JsonNode step = json.readTree(deploy.out()).get("steps").get(0);
        assertThat(step.get("module").asString()).isEqualTo(MODULES);
        assertThat(step.get("state").asString()).as(step.toString()).isEqualTo("applied");
        assertThat(sshd.readString(spelling)).contains("from common._fleetshell_lazy import _fleetshell_lazy\n");
        assertThat(sshd.exists(helper)).as("the helper is written on the host").isTrue();

        ShellHarness.Run undone = run("rollback", "common.spelling");
        assertThat(undone.status()).as(undone.out() + undone.err()).isZero();
        assertThat(undone.out()).contains("removed " + helper + " (the step created it)");
        assertThat(sshd.sha256(features)).as("byte-exact on the host").isEqualTo(featuresBefore);
        assertThat(sshd.sha256(spelling)).as("byte-exact on the host").isEqualTo(spellingBefore);
        assertThat(sshd.exists(helper)).isFalse();
        assertThat(leftovers(remote, root)).isEmpty();
    }

    @Test
    void aRootReachedThroughASymlinkOnTheHostIsDeployedAndAFileSwappedForALinkOutsideIsRefused() throws Exception {
        Path remote = dir.resolve("srv");
        Path link = remote.resolve("fleet-link");
        Path root = remoteFleet(remote, link.toString());
        Path spelling = link.resolve("common/spelling.py");
        Path features = link.resolve("common/text_features.py");
        String spellingBefore = sshd.sha256(spelling);
        String featuresBefore = sshd.sha256(features);

        ShellHarness.Run dry = run("optimize", "--modules", MODULES, "--dry-run", "--runs", "6");
        assertThat(dry.status()).as(dry.out() + dry.err()).isZero();
        assertThat(dry.out()).contains("deployable");
        assertThat(leftovers(remote, root)).isEmpty();

        // planned and written through the link: the real paths are the host's (fleet/...), not this computer's guess
        ShellHarness.Run deploy = run("batch", "deploy", "--modules", MODULES, "--runs", "6", "--interval", "0", "--yes", "--json");
        assertThat(deploy.status()).as(deploy.out() + deploy.err()).isZero();
        JsonNode step = json.readTree(deploy.out()).get("steps").get(0);
        assertThat(step.get("state").asString()).as(step.toString()).isEqualTo("applied");
        assertThat(sshd.readString(root.resolve("common/spelling.py"))).contains("from common._fleetshell_lazy import _fleetshell_lazy\n");
        String rewritten = sshd.sha256(spelling);

        // the module's file swapped for a symlink to a file outside the fleet root: the rollback must not write through it
        Path outside = remote.resolve("outside/spelling.py");
        sshd.inside("sh", "-c", "mkdir -p \"$(dirname \"$2\")\" && cp \"$1\" \"$2\" && rm \"$1\" && ln -s \"$2\" \"$1\"", "sh",
                root.resolve("common/spelling.py").toString(), outside.toString());
        ShellHarness.Run refused = run("rollback", "common.spelling");
        assertThat(refused.status()).as(refused.out() + refused.err()).isNotZero();
        assertThat(refused.out() + refused.err()).contains("spelling.py");
        assertThat(sshd.sha256(outside)).as("nothing is written through the link").isEqualTo(rewritten);

        sshd.inside("sh", "-c", "rm \"$1\" && cp \"$2\" \"$1\"", "sh", root.resolve("common/spelling.py").toString(), outside.toString());
        ShellHarness.Run undone = run("rollback", "common.spelling");
        assertThat(undone.status()).as(undone.out() + undone.err()).isZero();
        assertThat(sshd.sha256(spelling)).as("byte-exact on the host").isEqualTo(spellingBefore);
        assertThat(sshd.sha256(features)).as("byte-exact on the host").isEqualTo(featuresBefore);
        assertThat(sshd.exists(link.resolve("common/_fleetshell_lazy.py"))).isFalse();
    }

    /** One command; its output's first lines on stderr with the load average: what a user sees, in the test's log. */
    private ShellHarness.Run run(String... args) {
        long started = System.nanoTime();
        ShellHarness.Run run = shell.oneShot(args);
        System.err.printf("RemoteSharedModuleTest: fleetshell %s -> exit %d in %.1f s (load average %.1f)%n%s%n", String.join(" ", args),
                run.status(), (System.nanoTime() - started) / 1e9, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage(), (run.out() + run.err()).lines().limit(60).collect(java.util.stream.Collectors.joining("\n")));
        return run;
    }

    /** fleetshell's temporary files in the host's temporary directory and hidden siblings in common/, as the host lists them. */
    private List<String> leftovers(Path remote, Path root) throws Exception {
        Path tmp = remote.resolve("state/tmp");
        List<String> found = new java.util.ArrayList<>();
        if (sshd.exists(tmp)) {
            Arrays.stream(sshd.inside("ls", "-A", "--", tmp.toString()).split("\n")).filter(n -> n.startsWith("fleetshell-")).forEach(found::add);
        }
        Arrays.stream(sshd.inside("ls", "-A", "--", root.resolve("common").toString()).split("\n")).filter(n -> n.contains(".fleetshell-"))
                .forEach(found::add);
        return found;
    }
}
