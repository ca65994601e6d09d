package io.fleetshell.history;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.LoadedConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of the fleetshell processes of {@link ConcurrentWritersTest}: waits for the go file, opens the
 * (possibly not yet created) database, then appends events and saves inventories as fast as it can.
 * Exits 0 when all of it worked, 1 with the stack trace on stderr otherwise.
 *
 * <p>Arguments: database file, worker name, number of events, ready file, go file.
 */
public final class ConcurrentWriter {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String name = args[1];
        int events = Integer.parseInt(args[2]);
        Path ready = Path.of(args[3]);
        Path go = Path.of(args[4]);
        // Load the classes open() needs before the race starts, so that both processes reach it together.
        Class.forName(HistoryDatabase.class.getName());
        Class.forName(org.flywaydb.core.Flyway.class.getName());
        Class.forName(org.sqlite.JDBC.class.getName());
        Files.createFile(ready);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no go file " + go);
            }
            Thread.sleep(1);
        }
        try (HistoryDatabase db = HistoryDatabase.open(file)) {
            EventLog log = new EventLog(db);
            InventoryStore store = new InventoryStore(db);
            Path own = file.resolveSibling(name + ".yaml");
            Path shared = file.resolveSibling("shared.yaml");
            for (int i = 0; i < events; i++) {
                log.append(new Event(0, Instant.now(), "work", List.of(name, Integer.toString(i)), 0, Event.OK,
                        name + " #" + i, "{\"i\":" + i + "}", List.of(new AgentId(name, "A" + i % 5)),
                        ProcessHandle.current().pid(), name));
                if (i % 10 == 0) {
                    store.save(Fleets.config(own, name, "version " + i / 10, "A0", "A1", "A2", "A3", "A4"));
                }
                if (i % 20 == 0) {
                    LoadedConfig both = Fleets.config(shared, "shared", name + " " + i, "S1", "S2");
                    store.saveAll(List.of(both));
                }
                if (i % 25 == 0) {
                    store.inventory();
                    log.recent(new AgentId(null, "A1"), 20);
                }
                // A shell does some work between writes. Back to back, one process commits and begins
                // again within microseconds and the other's busy handler (sleeping 1 to 100 ms) rarely
                // gets in, so the two would mostly take turns in long runs instead of interleaving.
                Thread.sleep(1);
            }
        }
    }
}
