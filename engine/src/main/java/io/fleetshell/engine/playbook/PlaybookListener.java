package io.fleetshell.engine.playbook;

/**
 * Receives a run's journal as it is written, on the thread running the playbook: the shell prints each
 * entry and stores it in the history database.
 */
@FunctionalInterface
public interface PlaybookListener {

    void entry(JournalEntry entry);
}
