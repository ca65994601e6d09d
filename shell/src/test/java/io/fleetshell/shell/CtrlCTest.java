package io.fleetshell.shell;

import io.fleetshell.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C through a real pseudo-terminal (util-linux {@code script} runs fleetshell on one; what the test writes to it is
 * typed): the key reaches fleetshell as SIGINT from the terminal, as it does for a person. In the REPL it stops the
 * running command and the prompt comes back, with the command's children gone and no file of the command left in the
 * fleet; in one-shot mode the process exits 130.
 */
class CtrlCTest {

    private static final Duration STEP = Duration.ofMinutes(3);
    private static final String PROMPT = "fleetshell> ";

    @TempDir
    Path home;
    private Process shell;

    @AfterEach
    void stop() {
        if (shell != null && shell.isAlive()) {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
        }
    }

    @Test
    void ctrlCStopsProfileAndTheDryRunAndThePromptComesBackWithNothingLeftInTheFleet() throws Exception {
        Terminal t = start();
        t.await("quit leaves.", PROMPT);
        t.type("profile\r");
        t.await("Profiling", "[1/");
        t.type("\u0003");
        t.await("[1/", "Ctrl-C: profile stopped");
        t.await("Ctrl-C: profile stopped", PROMPT);
        assertThat(childrenOfTheShell()).as("processes profile started").isEmpty();

        t.type("optimize TutorAgent --dry-run\r");
        Path fleet = home.resolve("demo");
        // The proof loads the rewrite from a hidden sibling of the agent's file: interrupt while it is there.
        Await.until("the proof's hidden sibling in the fleet", STEP, () -> !ours(fleet).isEmpty());
        t.type("\u0003");
        t.await("Optimizing", "Ctrl-C: optimize stopped");
        t.await("Ctrl-C: optimize stopped", PROMPT);
        assertThat(ours(fleet)).as("files of fleetshell in the fleet").isEmpty();
        assertThat(childrenOfTheShell()).as("processes the dry run started").isEmpty();

        // At the prompt Ctrl-C clears the line, as in bash, and Ctrl-D leaves.
        // Each key waits for the screen to show the last one took effect: keys typed ahead race with JLine's reader.
        t.type("inventory li");
        t.await("Ctrl-C: optimize stopped", "inventory li");
        t.type("\u0003");
        t.await("inventory li", PROMPT);
        t.type("version\r");
        t.await("Ctrl-C: optimize stopped", "fleetshell development build");
        t.await("fleetshell development build", PROMPT); // typed ahead of the prompt, Ctrl-D would be the tty's EOF, not JLine's
        t.type("\u0004");
        assertThat(Await.exit(shell, STEP)).isZero();
        assertThat(t.text()).doesNotContain("deployable").doesNotContain("unknown command");
    }

    @Test
    void ctrlCDuringADeployStopsItAtAStepBoundaryAndDeployResumeGoesOn() throws Exception {
        ShellHarness harness = new ShellHarness(home);
        assertThat(harness.oneShot("demo init").status()).isZero();
        Terminal t = start("batch", "deploy", "--agents", "TutorAgent,AsyncProcessor", "--batch-size", "1", "--interval", "0s", "--yes");
        t.await("batch 1/2", "proving: load"); // the status line: the step's proof is under way
        t.type("\u0003");
        assertThat(Await.exit(shell, STEP)).isEqualTo(130);
        // The step ends as it would have (applied). A child the key reached between its fork and its own session
        // (setsid) dies of the SIGINT, and the step is then rolled back as interrupted: either way it ends settled.
        assertThat(t.text()).contains("stopping after the running step").doesNotContain("batch 2/2")
                .containsPattern("deployment 1 stopped by Ctrl-C at a step boundary: (1 step applied|0 steps applied, 1 interrupted step "
                        + "rolled back), 1 not started; deploy resume 1 deploys them");
        assertThat(ours(home.resolve("demo"))).isEmpty();

        ShellHarness.Run status = harness.oneShot("deploy", "status", "1");
        assertThat(status.out()).contains("stopped").containsPattern("1\\.1\\.1\\s+mainpc/TutorAgent.*(applied|rolled back)")
                .containsPattern("1\\.2\\.1\\s+pc2/AsyncProcessor.*pending");
        ShellHarness.Run resumed = harness.oneShot("deploy", "resume", "1");
        assertThat(resumed.status()).as(resumed.err()).isZero();
        assertThat(harness.oneShot("deploy", "status", "1").out()).contains("completed");
    }

    @Test
    void ctrlCInOneShotModeExits130() throws Exception {
        ShellHarness harness = new ShellHarness(home);
        assertThat(harness.oneShot("demo init").status()).isZero();
        Terminal t = start("profile");
        t.await("Profiling", "[1/");
        t.type("\u0003");
        assertThat(Await.exit(shell, STEP)).isEqualTo(130);
        assertThat(t.text()).contains("Ctrl-C: profile stopped");
        assertThat(ours(home.resolve("demo"))).isEmpty();
    }

    /** Files fleetshell makes beside the agents' files (the demo's own marker aside). */
    private static List<Path> ours(Path fleet) {
        try (Stream<Path> files = Files.walk(fleet)) {
            return files.filter(p -> p.getFileName().toString().contains("fleetshell"))
                    .filter(p -> !p.getFileName().toString().equals(".fleetshell-demo")).toList();
        } catch (IOException e) {
            return List.of(Path.of("unreadable: " + e.getMessage()));
        }
    }

    /** The shell's descendants besides the JVM itself (script runs the JVM; the JVM runs the commands' children). */
    private List<ProcessHandle> childrenOfTheShell() {
        return shell.descendants().filter(p -> p.info().command().map(c -> !c.endsWith("/java")).orElse(true))
                .filter(ProcessHandle::isAlive).toList();
    }

    private Terminal start(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> jvm = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                FleetshellApplication.class.getName()));
        jvm.addAll(List.of(args));
        String line = String.join(" ", jvm.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        // The terminal script opens has no size when its own input is a pipe: give it one, as a window would, wide
        // enough that no message the test looks for is wrapped to the width.
        // env --default-signal=INT: a test run started in the background of a non-interactive shell (as a CI runner
        // may start it) inherits SIGINT ignored, and a JVM that starts with SIGINT ignored never sees Ctrl-C; a
        // person's terminal starts fleetshell with the default disposition, which this restores.
        ProcessBuilder builder = new ProcessBuilder("script", "-qefc",
                "stty cols 400 rows 40; exec env --default-signal=INT " + line, "/dev/null")
                .redirectErrorStream(true);
        builder.environment().put("COLUMNS", "400");
        builder.environment().put("FLEETSHELL_HOME", home.toString());
        builder.environment().put("TERM", "xterm");
        shell = builder.start();
        return new Terminal(shell);
    }

    /** The pseudo-terminal's screen as bytes arrive, and its keyboard. */
    private static final class Terminal {
        private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
        private final OutputStream keyboard;

        Terminal(Process process) {
            this.keyboard = process.getOutputStream();
            InputStream output = process.getInputStream();
            Thread.ofVirtual().start(() -> {
                byte[] buffer = new byte[8192];
                try {
                    for (int n; (n = output.read(buffer)) > 0; ) {
                        synchronized (screen) {
                            screen.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the terminal closed
                }
            });
        }

        String text() {
            synchronized (screen) {
                return screen.toString(StandardCharsets.UTF_8);
            }
        }

        void type(String keys) throws IOException {
            keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
        }

        /** Waits until the screen shows {@code text} after the last {@code after}. */
        void await(String after, String text) {
            try {
                Await.until("'" + text + "' after '" + after + "'", STEP, () -> {
                    // JLine redraws the line it edits with cursor moves and colours between the characters.
                    String shown = text().replaceAll("\u001b\\[[0-9;?]*[A-Za-z]|\u001b[=>]", "");
                    int from = shown.lastIndexOf(after);
                    return from >= 0 && shown.indexOf(text, from + after.length()) >= 0;
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the screen:\n" + text(), e);
            }
        }
    }
}
