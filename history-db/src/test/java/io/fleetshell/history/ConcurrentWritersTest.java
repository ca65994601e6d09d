package io.fleetshell.history;

import io.fleetshell.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.fleetshell.history.HistoryDatabaseTest.query;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two fleetshells writing one history at once: real JVMs racing to create, migrate and write a new
 * file, and two databases on one file inside one JVM (two shells side by side in a test).
 */
class ConcurrentWritersTest {

    static final int EVENTS = 300;

    @TempDir
    Path home;

    @Test
    void twoProcessesCreateMigrateAndWriteOneNewFile() throws Exception {
        Path file = home.resolve("history.db");
        Path go = home.resolve("go");
        List<Process> processes = new ArrayList<>();
        for (String worker : List.of("alpha", "beta")) {
            processes.add(new ProcessBuilder(
                    ProcessHandle.current().info().command().orElseThrow(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"),
                    ConcurrentWriter.class.getName(),
                    file.toString(), worker, Integer.toString(EVENTS), home.resolve(worker + ".ready").toString(),
                    go.toString())
                    .redirectOutput(home.resolve(worker + ".out").toFile())
                    .redirectError(home.resolve(worker + ".err").toFile())
                    .start());
        }
        try {
            // Two JVMs start in about 1 s on a quiet machine.
            Await.until("both workers ready", Duration.ofSeconds(60), () -> {
                assertThat(processes).as("workers alive").allMatch(Process::isAlive);
                return Files.exists(home.resolve("alpha.ready")) && Files.exists(home.resolve("beta.ready"));
            });
            assertThat(file).doesNotExist();
            Files.createFile(go);

            for (String worker : List.of("alpha", "beta")) {
                Process process = processes.get(worker.equals("alpha") ? 0 : 1);
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(worker + " finished").isTrue();
                String err = Files.readString(home.resolve(worker + ".err"));
                assertThat(process.exitValue()).as(worker + " exit status; stderr:\n" + err).isZero();
                assertThat(err).doesNotContain("SQLITE_BUSY").doesNotContain("Exception");
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }

        try (HistoryDatabase db = HistoryDatabase.open(file)) {
            assertThat(query(db, "PRAGMA integrity_check")).containsExactly("ok");
            assertThat(query(db, "PRAGMA foreign_key_check")).isEmpty();
            assertThat(query(db, "PRAGMA journal_mode")).containsExactly("wal");
            assertThat(query(db, "SELECT version FROM flyway_schema_history ORDER BY installed_rank"))
                    .containsExactlyElementsOf(HistoryDatabaseTest.allVersions()); // each applied exactly once
            List<Event> events = new EventLog(db).recent(null, 10 * EVENTS);
            assertThat(events).hasSize(2 * EVENTS);
            assertThat(events).extracting(Event::id).doesNotHaveDuplicates();
            for (String worker : List.of("alpha", "beta")) {
                assertThat(events.stream().filter(e -> e.host().equals(worker)).map(e -> e.arguments().get(1)))
                        .containsExactlyInAnyOrderElementsOf(
                                IntStream.range(0, EVENTS).mapToObj(Integer::toString).toList());
            }
            long switches = IntStream.range(1, events.size())
                    .filter(i -> !events.get(i).host().equals(events.get(i - 1).host()))
                    .count();
            assertThat(switches).as("times the writing process changed").isGreaterThan(EVENTS / 10);
            InventoryStore store = new InventoryStore(db);
            assertThat(store.inventory().machines()).hasSize(3);
            assertThat(store.inventory().agents()).hasSize(5 + 5 + 2);
            assertThat(query(db, "SELECT count(*) FROM config_snapshots WHERE source_id ="
                    + " (SELECT id FROM config_sources WHERE file LIKE '%alpha.yaml')"))
                    .containsExactly(Integer.toString(EVENTS / 10));
        }
    }

    @Test
    void twoDatabasesOnOneFileInOneJvm() throws Exception {
        Path file = home.resolve("history.db");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<HistoryDatabase>> opening = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                opening.add(pool.submit(() -> HistoryDatabase.open(file)));
            }
            List<HistoryDatabase> databases = new ArrayList<>();
            for (Future<HistoryDatabase> future : opening) {
                databases.add(future.get(30, TimeUnit.SECONDS));
            }
            try {
                List<Callable<List<Long>>> writers = new ArrayList<>();
                for (int thread = 0; thread < 4; thread++) {
                    EventLog log = new EventLog(databases.get(thread % 2));
                    writers.add(() -> {
                        List<Long> ids = new ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            ids.add(log.append(EventLogTest.event("in-jvm", List.of())));
                        }
                        return ids;
                    });
                }
                Set<Long> ids = new HashSet<>();
                for (Future<List<Long>> result : pool.invokeAll(writers, 30, TimeUnit.SECONDS)) {
                    ids.addAll(result.get());
                }
                assertThat(ids).hasSize(200);
                assertThat(new EventLog(databases.get(1)).recent(null, 1000)).hasSize(200);
            } finally {
                databases.forEach(HistoryDatabase::close);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
