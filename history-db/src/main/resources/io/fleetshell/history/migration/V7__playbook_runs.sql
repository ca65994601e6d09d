-- Playbook runs and their journals: what each run printed, every fleet call it made with its result,
-- every policy decision, and how it ended. playbook show and explain read them back.
-- A run's row is written when it starts and completed once when it ends; journal lines are append-only.

CREATE TABLE playbook_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    file          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('run', 'dry-run', 'simulate')),
    params_json   TEXT NOT NULL CHECK (json_valid(params_json)),
    deployment_id INTEGER,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    outcome       TEXT CHECK (outcome IS NULL OR outcome IN ('completed', 'stopped', 'failed')),
    exit_status   INTEGER,
    message       TEXT,
    pid           INTEGER NOT NULL,
    host          TEXT
) STRICT;

CREATE TABLE playbook_journal (
    run_id    INTEGER NOT NULL REFERENCES playbook_runs (id),
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('log', 'warn', 'read', 'action', 'decision', 'end')),
    line      INTEGER NOT NULL,
    text      TEXT NOT NULL,
    data_json TEXT CHECK (data_json IS NULL OR json_valid(data_json)),
    PRIMARY KEY (run_id, seq)
) STRICT;

-- A finished run is history: only the one update that records its end is allowed.
CREATE TRIGGER playbook_runs_finished_once BEFORE UPDATE ON playbook_runs
WHEN OLD.finished_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'playbook_runs: a finished run is append-only');
END;

CREATE TRIGGER playbook_runs_append_only_delete BEFORE DELETE ON playbook_runs
BEGIN
    SELECT RAISE(ABORT, 'playbook_runs is append-only');
END;

CREATE TRIGGER playbook_journal_append_only_update BEFORE UPDATE ON playbook_journal
BEGIN
    SELECT RAISE(ABORT, 'playbook_journal is append-only');
END;

CREATE TRIGGER playbook_journal_append_only_delete BEFORE DELETE ON playbook_journal
BEGIN
    SELECT RAISE(ABORT, 'playbook_journal is append-only');
END;
