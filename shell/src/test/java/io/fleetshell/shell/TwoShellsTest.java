package io.fleetshell.shell;

import io.fleetshell.shell.cli.CommandDispatcher;
import io.fleetshell.shell.cli.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Two shells on one home at the same time: both work, every command is recorded, nothing is lost. */
class TwoShellsTest {

    @TempDir
    Path home;
    @TempDir
    Path fleetDir;

    @Test
    void twoShellsLoadAndReadTheSameHomeConcurrently() throws Exception {
        TestFleet fleet = new TestFleet(fleetDir);
        Path mainpc = fleet.mainpc();
        Path pc2 = fleet.pc2();
        ShellHarness harness = new ShellHarness(home);
        try (ConfigurableApplicationContext first = harness.context(); ConfigurableApplicationContext second = harness.context();
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<Integer> a = pool.submit(loop(first, mainpc));
            Future<Integer> b = pool.submit(loop(second, pc2));
            assertThat(a.get()).isZero();
            assertThat(b.get()).isZero();
        }
        ShellHarness.Run list = harness.oneShot("inventory", "list");
        assertThat(list.err()).contains("5 agents on 2 machines.");
        ShellHarness.Run history = harness.oneShot("history", "--limit", "100");
        assertThat(history.out().lines().filter(l -> l.contains("inventory load"))).hasSize(20);
    }

    /** Ten loads of one config, each followed by a list; returns the first non-zero status, or 0. */
    private static Callable<Integer> loop(ConfigurableApplicationContext shell, Path config) {
        CommandDispatcher dispatcher = shell.getBean(CommandDispatcher.class);
        return () -> {
            for (int i = 0; i < 10; i++) {
                StringWriter err = new StringWriter();
                Output output = new Output(new PrintWriter(new StringWriter()), new PrintWriter(err), false);
                int status = dispatcher.execute(List.of("inventory", "load", config.toString()), output, false);
                if (status == 0) {
                    status = dispatcher.execute(List.of("inventory", "list"), output, false);
                }
                if (status != 0) {
                    throw new AssertionError("status " + status + ": " + err);
                }
            }
            return 0;
        };
    }
}
