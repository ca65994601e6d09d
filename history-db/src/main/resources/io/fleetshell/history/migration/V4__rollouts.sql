-- fleetshell history, schema 4: rollouts (batch deploy), their backups, journal and decisions.
-- A deployment is resolved into immutable steps before anything is written; each step's original and
-- rewritten bytes are stored content-addressed in blobs. The journal records the intent before each
-- action on a file or an agent and the outcome after it, so `deploy recover` can finish or undo an
-- interrupted deployment. decisions holds every proof check and gate decision with its raw evidence.

CREATE TABLE blobs (
    sha256  TEXT NOT NULL PRIMARY KEY,
    size    INTEGER NOT NULL,
    content BLOB NOT NULL
) STRICT;

CREATE TABLE deployments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   TEXT NOT NULL,
    finished_at  TEXT,
    pattern      TEXT NOT NULL,
    options_json TEXT NOT NULL CHECK (json_valid(options_json)),
    -- running: a process is executing it; the others are final or wait for a person
    state        TEXT NOT NULL CHECK (state IN ('running', 'completed', 'stopped', 'held', 'aborted', 'rolled_back',
                                                'recovered')),
    -- what another shell asked the running process to do (deploy pause|resume|abort)
    control      TEXT CHECK (control IS NULL OR control IN ('pause', 'abort')),
    summary      TEXT,
    pid          INTEGER NOT NULL,
    host         TEXT NOT NULL
) STRICT;

CREATE TABLE deployment_batches (
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    number        INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'running', 'passed', 'failed', 'held', 'rolled_back')),
    started_at    TEXT,
    finished_at   TEXT,
    PRIMARY KEY (deployment_id, number)
) STRICT;

CREATE TABLE deployment_steps (
    id                INTEGER PRIMARY KEY,
    deployment_id     INTEGER NOT NULL REFERENCES deployments (id),
    batch             INTEGER NOT NULL,
    position          INTEGER NOT NULL,
    machine           TEXT NOT NULL,
    agent             TEXT NOT NULL,
    file              TEXT NOT NULL,
    pattern           TEXT NOT NULL,
    before_sha256     TEXT NOT NULL REFERENCES blobs (sha256),
    after_sha256      TEXT NOT NULL REFERENCES blobs (sha256),
    predicted_gain_ms REAL,
    notes_json        TEXT NOT NULL CHECK (json_valid(notes_json)),
    state             TEXT NOT NULL,
    detail            TEXT,
    updated_at        TEXT NOT NULL,
    UNIQUE (deployment_id, batch, position),
    FOREIGN KEY (deployment_id, batch) REFERENCES deployment_batches (deployment_id, number)
) STRICT;

CREATE INDEX deployment_steps_by_agent ON deployment_steps (agent, machine, id);

-- An original (or an edited version a forced rollback replaced) as it was on disk before fleetshell
-- wrote over it: content in blobs, with the file's path, mode and mtime and the step that replaced it.
CREATE TABLE backups (
    id         INTEGER PRIMARY KEY,
    step_id    INTEGER NOT NULL REFERENCES deployment_steps (id),
    sha256     TEXT NOT NULL REFERENCES blobs (sha256),
    path       TEXT NOT NULL,
    mode       INTEGER,
    mtime      TEXT,
    reason     TEXT NOT NULL CHECK (reason IN ('deploy', 'forced rollback')),
    taken_at   TEXT NOT NULL
) STRICT;

CREATE INDEX backups_by_step ON backups (step_id);

-- Intent before each action, outcome after it. step_id is null for deployment- and batch-level entries.
CREATE TABLE rollout_journal (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    batch         INTEGER,
    step_id       INTEGER REFERENCES deployment_steps (id),
    at            TEXT NOT NULL,
    phase         TEXT NOT NULL CHECK (phase IN ('intent', 'outcome', 'note')),
    action        TEXT NOT NULL,
    detail        TEXT
) STRICT;

CREATE INDEX rollout_journal_by_deployment ON rollout_journal (deployment_id, id);

-- Every proof check and gate decision (and batch gate) with the raw values it was decided on.
CREATE TABLE rollout_decisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    batch         INTEGER,
    step_id       INTEGER REFERENCES deployment_steps (id),
    at            TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('proof', 'gate', 'batch gate')),
    name          TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    rule          TEXT,
    summary       TEXT,
    evidence_json TEXT NOT NULL CHECK (json_valid(evidence_json))
) STRICT;

CREATE INDEX rollout_decisions_by_deployment ON rollout_decisions (deployment_id, id);

-- One deployment per fleet at a time: at most one row. pid, process start and host say who holds it,
-- so a lock left by a dead process can be recognized and broken.
CREATE TABLE fleet_lock (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    deployment_id INTEGER REFERENCES deployments (id),
    purpose       TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    process_start TEXT,
    host          TEXT NOT NULL,
    acquired_at   TEXT NOT NULL
) STRICT;

CREATE TRIGGER rollout_journal_append_only_update BEFORE UPDATE ON rollout_journal
BEGIN
    SELECT RAISE(ABORT, 'rollout_journal is append-only');
END;

CREATE TRIGGER rollout_decisions_append_only_update BEFORE UPDATE ON rollout_decisions
BEGIN
    SELECT RAISE(ABORT, 'rollout_decisions is append-only');
END;

CREATE TRIGGER backups_append_only_update BEFORE UPDATE ON backups
BEGIN
    SELECT RAISE(ABORT, 'backups is append-only');
END;
