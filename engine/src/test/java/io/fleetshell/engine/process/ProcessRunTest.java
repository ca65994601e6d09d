package io.fleetshell.engine.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against real processes: {@code sh}, {@code sleep}, {@code head}, {@code cat}. */
class ProcessRunTest {

    /** Prints its process group id, then waits in a background grandchild and a child. */
    private static final String TREE = "echo $$; sleep 1000 & sleep 1000";

    @TempDir
    Path dir;

    @Test
    void capturesStdoutStderrAndTheExitStatus() throws Exception {
        ProcessResult result = ProcessRun.shell("echo out; echo err >&2; exit 3").in(dir).timeout(Duration.ofSeconds(10)).run();

        assertThat(result.exitStatus()).isEqualTo(3);
        assertThat(result.ok()).isFalse();
        assertThat(result.timedOut()).isFalse();
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(result.command()).containsExactly("sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(result.duration()).isPositive();
    }

    @Test
    void runsInTheDirectoryWithTheEnvironmentAndStdinGiven() throws Exception {
        ProcessResult result = ProcessRun.shell("pwd; echo \"$GREETING\"; echo \"${HOME:-unset}\"; cat")
                .in(dir).environment(Map.of("GREETING", "hello")).without("HOME")
                .stdin("from stdin".getBytes(StandardCharsets.UTF_8)).timeout(Duration.ofSeconds(10)).run();

        assertThat(result.ok()).isTrue();
        assertThat(result.stdout()).isEqualTo(dir.toRealPath() + "\nhello\nunset\nfrom stdin");
    }

    @Test
    void mergesStderrIntoStdoutInOrder() throws Exception {
        ProcessResult result = ProcessRun.shell("echo one; echo two >&2; echo three").mergingErrors().timeout(Duration.ofSeconds(10)).run();

        assertThat(result.stdout()).isEqualTo("one\ntwo\nthree\n");
        assertThat(result.stderr()).isEmpty();
        assertThat(result.report()).isEqualTo("three");
    }

    @Test
    void timeoutKillsTheWholeProcessGroupGrandchildrenIncluded() throws Exception {
        long before = System.nanoTime();
        ProcessResult result = ProcessRun.shell(TREE).timeout(Duration.ofMillis(500)).run();

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitStatus()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
        long group = Long.parseLong(result.stdout().strip());
        assertThat(membersOf(group)).as("processes left in group %d", group).isEmpty();
    }

    @Test
    void interruptKillsTheTreeDeletesOwnedFilesAndThrows() throws Exception {
        Path scratch = Files.createTempDirectory(dir, "scratch");
        Files.writeString(scratch.resolve("input.txt"), "data");
        Path pidFile = dir.resolve("group");
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                ProcessRun.shell("echo $$ > '" + pidFile + "'; sleep 1000 & sleep 1000").owning(scratch)
                        .timeout(Duration.ofMinutes(5)).run();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        long group = awaitPid(pidFile);
        caller.interrupt();

        assertThat(outcome.get(20, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(membersOf(group)).as("processes left in group %d", group).isEmpty();
        assertThat(scratch).doesNotExist();
    }

    @Test
    void anAlreadyInterruptedThreadStartsNothing() throws Exception {
        Path marker = dir.resolve("ran");
        Path owned = Files.createTempFile(dir, "owned", ".txt");
        Thread.currentThread().interrupt();

        assertThatThrownBy(() -> ProcessRun.shell("touch '" + marker + "'").owning(owned).timeout(Duration.ofSeconds(10)).run())
                .isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
        Thread.sleep(200);
        assertThat(marker).doesNotExist();
        assertThat(owned).doesNotExist();
    }

    @Test
    void aJvmThatExitsKillsTheTreesOfTheRunsStillGoing() throws Exception {
        Path pidFile = dir.resolve("group");
        Path main = Files.writeString(dir.resolve("Exits.java"), """
                import io.fleetshell.engine.process.ProcessRun;
                import java.nio.file.*;
                import java.time.Duration;

                public class Exits {
                    public static void main(String[] args) throws Exception {
                        Thread.ofPlatform().daemon().start(() -> {
                            try {
                                ProcessRun.shell("echo $$ > %s.tmp && mv %s.tmp %s; sleep 1000 & sleep 1000").timeout(Duration.ofMinutes(5)).run();
                            } catch (Exception e) {
                                e.printStackTrace();
                            }
                        });
                        while (!Files.exists(Path.of("%s"))) {
                            Thread.sleep(20);
                        }
                        Thread.sleep(200);
                        System.exit(0);
                    }
                }
                """.formatted(pidFile, pidFile, pidFile, pidFile));
        String java = ProcessHandle.current().info().command().orElseThrow();

        ProcessResult exited = ProcessRun.of(java, "-cp", System.getProperty("java.class.path"), main.toString())
                .timeout(Duration.ofSeconds(60)).run();

        assertThat(exited.exitStatus()).as(exited.stderr()).isZero();
        long group = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(membersOf(group)).as("processes left in group %d", group).isEmpty();
    }

    @Test
    void ownedFilesAreDeletedAfterATimeoutAndAfterANormalEnd() throws Exception {
        Path timedOut = Files.createTempDirectory(dir, "timed-out");
        Files.createDirectories(timedOut.resolve("a/b"));
        Files.writeString(timedOut.resolve("a/b/c.txt"), "x");
        Path file = Files.createTempFile(dir, "plain", ".txt");

        assertThat(ProcessRun.shell("sleep 1000").owning(timedOut).timeout(Duration.ofMillis(200)).run().timedOut()).isTrue();
        assertThat(ProcessRun.of("true").owning(file).timeout(Duration.ofSeconds(10)).run().ok()).isTrue();

        assertThat(timedOut).doesNotExist();
        assertThat(file).doesNotExist();
    }

    @Test
    void keepsTheHeadAndTheTailOfARunawayOutput() throws Exception {
        // 50 MB through a 1 KB bound: the heap holds the bound, not the output.
        ProcessResult result = ProcessRun.shell("echo first; yes middle | head -c 50000000; echo; echo last")
                .keep(1024, 1024).timeout(Duration.ofSeconds(60)).run();

        assertThat(result.ok()).isTrue();
        assertThat(result.truncated()).isTrue();
        assertThat(result.stdout()).startsWith("first\nmiddle\n").endsWith("middle\nm\nlast\n").contains(" bytes left out ...]");
        assertThat(result.stdout().length()).isLessThan(1100);
    }

    @Test
    void outputWithinTheBoundIsKeptWhole() throws Exception {
        ProcessResult result = ProcessRun.shell("head -c 1024 /dev/zero | tr '\\0' x").keep(1024, 16).timeout(Duration.ofSeconds(10)).run();

        assertThat(result.truncated()).isFalse();
        assertThat(result.stdout()).isEqualTo("x".repeat(1024));
    }

    @Test
    void handsStdoutToAReaderAsItStreams() throws Exception {
        // 20 MB read by the reader, none of it kept by the run.
        ProcessRun.Streamed<Long> counted = ProcessRun.shell("yes line | head -c 20000000; echo oops >&2").keep(16, 16)
                .timeout(Duration.ofSeconds(60)).run(stdout -> stdout.transferTo(java.io.OutputStream.nullOutputStream()));

        assertThat(counted.value()).isEqualTo(20_000_000L);
        assertThat(counted.readFailed()).isNull();
        assertThat(counted.result().stdout()).isEmpty();
        assertThat(counted.result().stderr()).isEqualTo("oops\n");
    }

    @Test
    void aReaderThatIsDoneDoesNotWaitForABackgroundChildHoldingThePipe() throws Exception {
        long before = System.nanoTime();
        ProcessRun.Streamed<String> read = ProcessRun.shell("echo $$; sleep 30 &").timeout(Duration.ofSeconds(60))
                .run(stdout -> new java.io.BufferedReader(new java.io.InputStreamReader(stdout, StandardCharsets.UTF_8)).readLine());
        try {
            assertThat(read.value()).matches("\\d+");
            assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
        } finally {
            ProcessRun.of("kill", "-KILL", "--", "-" + read.value()).timeout(Duration.ofSeconds(10)).run();
        }
    }

    @Test
    void aReaderThatFailsIsReportedAndTheRestOfTheOutputDiscarded() throws Exception {
        ProcessRun.Streamed<String> read = ProcessRun.shell("echo not-json; yes | head -c 1000000").timeout(Duration.ofSeconds(60))
                .run(stdout -> {
                    throw new IOException("cannot parse " + (char) stdout.read());
                });

        assertThat(read.result().ok()).isTrue();
        assertThat(read.value()).isNull();
        assertThat(read.readFailed()).hasMessage("cannot parse n");
    }

    @Test
    void aStartedProcessIsStoppedWithItsWholeTreeAndItsOwnedFiles() throws Exception {
        Path owned = Files.createTempDirectory(dir, "owned");
        // The shell ignores SIGTERM, so only the SIGKILL after the grace ends it.
        StartedProcess started = ProcessRun.shell("trap '' TERM; echo $$; sleep 1000 & sleep 1000").owning(owned).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (started.output().isBlank() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long group = Long.parseLong(started.output().strip());
        assertThat(group).isEqualTo(started.pid());
        assertThat(started.alive()).isTrue();

        assertThat(started.stop(Duration.ofMillis(300))).as("ended by itself within the grace").isFalse();

        assertThat(started.alive()).isFalse();
        assertThat(membersOf(group)).as("processes left in group %d", group).isEmpty();
        assertThat(owned).doesNotExist();
    }

    @Test
    void aStartedProcessThatEndsOnSigtermSaysSo() throws Exception {
        StartedProcess started = ProcessRun.shell("echo up; exec sleep 1000").start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (started.output().isBlank() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(started.stop(Duration.ofSeconds(60))).as("ended by itself within the grace").isTrue();
        assertThat(started.stop(Duration.ofSeconds(60))).as("a second stop does nothing").isFalse();
    }

    /** The far end of a lifeline, played by a shell: it reads the grace (or the end of its input) and ends as told. */
    private static String farEnd(String onTheLine) {
        return "echo up; read -r t; echo \"grace=$t\"; " + onTheLine;
    }

    @Test
    void aLifelineCarriesTheGraceToTheFarEndWhichEndsTheChildWithoutTheFallback() throws Exception {
        java.util.concurrent.atomic.AtomicInteger fallbacks = new java.util.concurrent.atomic.AtomicInteger();
        StartedProcess started = ProcessRun.shell(farEnd("exit 0")).lifeline(Duration.ofSeconds(60), grace -> fallbacks.incrementAndGet()).start();
        io.fleetshell.testing.Await.until("the child to start", Duration.ofSeconds(20), () -> started.output().startsWith("up"));
        assertThat(started.alive()).as("its stdin is held open").isTrue();

        assertThat(started.stop(Duration.ofMillis(2500))).as("ended by itself").isTrue();

        assertThat(started.output()).isEqualTo("up\ngrace=25\n");
        assertThat(fallbacks).hasValue(0);
    }

    @Test
    void aFarEndThatHadToKillItsProgramMakesTheStopSaySo() throws Exception {
        StartedProcess started = ProcessRun.shell(farEnd("exit " + ProcessRun.Lifeline.KILLED)).lifeline(Duration.ofSeconds(60), grace -> { }).start();
        io.fleetshell.testing.Await.until("the child to start", Duration.ofSeconds(20), () -> started.output().startsWith("up"));

        assertThat(started.stop(Duration.ofSeconds(1))).as("ended by itself within the grace").isFalse();
    }

    @Test
    void aChildTheLifelineDoesNotEndGetsTheFallbackWithTheGraceAndIsKilled() throws Exception {
        List<Duration> fallbacks = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        StartedProcess started = ProcessRun.shell("trap '' TERM; echo $$; sleep 1000 & sleep 1000")
                .lifeline(Duration.ofMillis(200), fallbacks::add).start();
        io.fleetshell.testing.Await.until("the child to start", Duration.ofSeconds(20), () -> !started.output().isBlank());
        long group = Long.parseLong(started.output().strip());

        assertThat(started.stop(Duration.ofMillis(300))).isFalse();

        assertThat(fallbacks).containsExactly(Duration.ofMillis(300));
        assertThat(started.alive()).isFalse();
        assertThat(membersOf(group)).as("processes left in group %d", group).isEmpty();
    }

    @Test
    void aTimeoutClosesTheLifelineAfterTheInputWithAGraceOfZero() throws Exception {
        ProcessResult result = ProcessRun.shell("head -c 5; echo; read -r t; echo \"grace=$t\"").stdin("hello".getBytes(StandardCharsets.UTF_8))
                .lifeline(Duration.ofSeconds(60), grace -> { throw new AssertionError("the fallback ran"); }).timeout(Duration.ofSeconds(1)).run();

        assertThat(result.timedOut()).isTrue();
        assertThat(result.stdout()).isEqualTo("hello\ngrace=0\n");
    }

    @Test
    void appendsOutputToAFileWhenAsked() throws Exception {
        Path log = Files.writeString(dir.resolve("agent.log"), "earlier\n");

        ProcessResult result = ProcessRun.shell("echo out; echo err >&2").appendingOutputTo(log).timeout(Duration.ofSeconds(10)).run();

        assertThat(result.stdout()).isEmpty();
        assertThat(Files.readString(log)).isEqualTo("earlier\nout\nerr\n");
    }

    @Test
    void aMissingExecutableIsAClearErrorAndNothingRuns() {
        assertThatThrownBy(() -> ProcessRun.of("no-such-program-fleetshell", "--x").timeout(Duration.ofSeconds(5)).run())
                .isInstanceOf(CannotStartException.class)
                .hasMessage("cannot start no-such-program-fleetshell: no executable named no-such-program-fleetshell on PATH");
        assertThatThrownBy(() -> ProcessRun.of("/nonexistent/python9").timeout(Duration.ofSeconds(5)).run())
                .isInstanceOf(CannotStartException.class)
                .hasMessageStartingWith("cannot start /nonexistent/python9: ");
        assertThatThrownBy(() -> ProcessRun.of("true").in(dir.resolve("missing")).timeout(Duration.ofSeconds(5)).run())
                .isInstanceOf(CannotStartException.class)
                .hasMessage("cannot start true: its working directory " + dir.resolve("missing") + " does not exist");
    }

    @Test
    void aProgramIsLookedUpOnThePathTheRunSets() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path program = Files.writeString(bin.resolve("fleetshell-hello"), "#!/bin/sh\necho hello from $0\n");
        program.toFile().setExecutable(true);

        ProcessResult result = ProcessRun.of("fleetshell-hello").environment("PATH", bin + ":" + System.getenv("PATH"))
                .timeout(Duration.ofSeconds(10)).run();

        assertThat(result.stdout()).isEqualTo("hello from " + program + "\n");
    }

    @Test
    void aMissingExecutableStillDeletesTheOwnedFiles() throws IOException {
        Path file = Files.createTempFile(dir, "owned", ".txt");

        assertThatThrownBy(() -> ProcessRun.of("no-such-program-fleetshell").owning(file).timeout(Duration.ofSeconds(5)).run())
                .isInstanceOf(CannotStartException.class);
        assertThat(file).doesNotExist();
    }

    private static long awaitPid(Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                String text = Files.readString(file).strip();
                if (!text.isEmpty()) {
                    Thread.sleep(200); // let the shell start both sleeps
                    return Long.parseLong(text);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the command never wrote its pid to " + file);
    }

    /** Live (not zombie) processes whose process group is {@code group}, read from /proc. */
    private static List<Long> membersOf(long group) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Long> members;
        do {
            members = ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> inGroup(pid, group)).toList();
            if (members.isEmpty()) {
                return members;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return members;
    }

    private static boolean inGroup(long pid, long group) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return !fields[0].equals("Z") && Long.parseLong(fields[2]) == group;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
