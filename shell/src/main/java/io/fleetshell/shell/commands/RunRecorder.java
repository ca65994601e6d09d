package io.fleetshell.shell.commands;

import io.fleetshell.engine.playbook.JournalEntry;
import io.fleetshell.engine.playbook.PlaybookListener;
import io.fleetshell.history.PlaybookRunStore;
import io.fleetshell.shell.cli.ExitStatuses;
import io.fleetshell.shell.cli.Output;

import java.util.ArrayList;
import java.util.List;

/**
 * Shows a playbook run's journal as it is written and stores it in the history database. What the
 * script prints is data (stdout; stderr under {@code --json}, which keeps stdout for the summary);
 * warnings, actions and decisions are messages (stderr). Lines are stored in small batches: a chatty
 * playbook costs a transaction per batch, not per line.
 */
final class RunRecorder implements PlaybookListener {

    private static final int BATCH = 100;
    private static final long BATCH_NANOS = 500_000_000L;

    private final PlaybookRunStore store;
    private final long runId;
    private final Output out;
    private final boolean json;
    private final String playbookName;
    private final boolean decisionsAreData;
    private final List<JournalEntry> pending = new ArrayList<>();
    private final List<JournalEntry> all = new ArrayList<>();
    private long lastFlush = System.nanoTime();
    private boolean storeFailed;

    /** @param decisionsAreData whether actions and decisions are the data of this run (a simulation prints them on stdout) */
    RunRecorder(PlaybookRunStore store, long runId, Output out, boolean json, String playbookName, boolean decisionsAreData) {
        this.decisionsAreData = decisionsAreData;
        this.store = store;
        this.runId = runId;
        this.out = out;
        this.json = json;
        this.playbookName = playbookName;
    }

    @Override
    public void entry(JournalEntry entry) {
        show(entry);
        all.add(entry);
        pending.add(entry);
        if (pending.size() >= BATCH || System.nanoTime() - lastFlush > BATCH_NANOS || entry.kind() == JournalEntry.Kind.ACTION) {
            flush();
        }
    }

    /** Everything the run journaled, for the {@code --json} summary. */
    List<JournalEntry> entries() {
        return List.copyOf(all);
    }

    void flush() {
        lastFlush = System.nanoTime();
        if (pending.isEmpty() || storeFailed) {
            return;
        }
        try {
            store.append(runId, List.copyOf(pending));
        } catch (RuntimeException e) {
            storeFailed = true; // one warning, not one per line: the run itself goes on
            out.warn("the journal of playbook run %d could not be stored: %s".formatted(runId, ExitStatuses.of(e).message()));
        }
        pending.clear();
    }

    private void show(JournalEntry e) {
        switch (e.kind()) {
            case LOG -> {
                if (json) {
                    out.info(e.text());
                } else {
                    out.println(e.text());
                }
            }
            case WARN -> out.warn(e.text());
            case ACTION, DECISION -> {
                String line = "[%s%s] %s".formatted(playbookName, e.line() > 0 ? ":" + e.line() : "", e.text());
                if (decisionsAreData && !json) {
                    out.println(line);
                } else {
                    out.info(out.style(line, "2"));
                }
            }
            case READ, END -> {
                // reads are journaled for explain, not shown; the end is reported by the command
            }
        }
    }
}
