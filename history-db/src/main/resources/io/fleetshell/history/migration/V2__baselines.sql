-- fleetshell history, schema 2: profiling baselines.
-- Each `profile` of an agent adds a new version; its raw samples are kept beside the summary that was
-- shown, so `explain` can always go back to the measurements. Both tables are append-only.

CREATE TABLE baselines (
    id                INTEGER PRIMARY KEY,
    machine           TEXT NOT NULL,
    agent             TEXT NOT NULL,
    version           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    script            TEXT NOT NULL,
    script_sha256     TEXT NOT NULL,
    working_directory TEXT NOT NULL,
    python            TEXT NOT NULL,
    python_version    TEXT,
    runs_requested    INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error             TEXT,
    summary_json      TEXT NOT NULL CHECK (json_valid(summary_json)),
    UNIQUE (machine, agent, version)
) STRICT;

CREATE TABLE baseline_samples (
    baseline_id    INTEGER NOT NULL REFERENCES baselines (id),
    run            INTEGER NOT NULL,
    ok             INTEGER NOT NULL CHECK (ok IN (0, 1)),
    load_ms        REAL NOT NULL,
    peak_rss_kb    INTEGER NOT NULL,
    modules_loaded INTEGER NOT NULL,
    error_type     TEXT,
    error_message  TEXT,
    error_line     INTEGER,
    -- [[module, depth, self_us, cumulative_us], ...] in the order -X importtime printed them
    imports_json   TEXT NOT NULL CHECK (json_valid(imports_json)),
    -- [[module, line, ms, rss_kb], ...]: the agent's own import statements as they ran
    statements_json TEXT NOT NULL CHECK (json_valid(statements_json)),
    PRIMARY KEY (baseline_id, run)
) STRICT;

CREATE TRIGGER baselines_append_only_update BEFORE UPDATE ON baselines
BEGIN
    SELECT RAISE(ABORT, 'baselines is append-only');
END;

CREATE TRIGGER baselines_append_only_delete BEFORE DELETE ON baselines
BEGIN
    SELECT RAISE(ABORT, 'baselines is append-only');
END;

CREATE TRIGGER baseline_samples_append_only_update BEFORE UPDATE ON baseline_samples
BEGIN
    SELECT RAISE(ABORT, 'baseline_samples is append-only');
END;

CREATE TRIGGER baseline_samples_append_only_delete BEFORE DELETE ON baseline_samples
BEGIN
    SELECT RAISE(ABORT, 'baseline_samples is append-only');
END;
