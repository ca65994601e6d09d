-- fleetshell history, schema 5: the fleet at run time. Every (re)start of an agent with its
-- time-to-healthy, every health probe, the runtime baseline windows users capture, and every gate
-- decision with the evidence it was taken on. All four tables are append-only, so a decision's
-- evidence (which names sample ids) can always be traced back to the samples.

CREATE TABLE agent_starts (
    id                 INTEGER PRIMARY KEY,
    machine            TEXT NOT NULL,
    agent              TEXT NOT NULL,
    started_at         TEXT NOT NULL,   -- the spawn, or the start of the restart command
    method             TEXT NOT NULL CHECK (method IN ('supervised', 'restart_command')),
    pid                INTEGER,         -- null for a restart command
    healthy            INTEGER NOT NULL CHECK (healthy IN (0, 1)),
    time_to_healthy_ms REAL,            -- until the first healthy answer; null when none came
    waited_ms          REAL NOT NULL,   -- until the healthy answer or the give-up
    probe              TEXT NOT NULL,   -- e.g. GET http://127.0.0.1:8230/health
    command            TEXT NOT NULL,
    reason             TEXT,            -- why it did not become healthy
    log_tail           TEXT,
    CHECK (healthy = 0 OR time_to_healthy_ms IS NOT NULL)
) STRICT;

CREATE INDEX agent_starts_by_agent ON agent_starts (machine, agent, started_at);

CREATE TABLE health_probes (
    id             INTEGER PRIMARY KEY,
    machine        TEXT NOT NULL,
    agent          TEXT NOT NULL,
    at             TEXT NOT NULL,
    target         TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('healthy', 'bad_status', 'timeout', 'unreachable', 'not_configured')),
    status_code    INTEGER,
    millis         REAL NOT NULL,
    detail         TEXT,
    reported_agent TEXT,
    clock_skew_ms  INTEGER,
    rss_kb         INTEGER
) STRICT;

CREATE INDEX health_probes_by_agent ON health_probes (machine, agent, at);

-- A runtime baseline is a window of time: the samples of the agent stored in [window_start, window_end)
-- in agent_starts, health_probes (and the scraped metric samples) are its baseline. Versions per agent.
CREATE TABLE runtime_baselines (
    id           INTEGER PRIMARY KEY,
    machine      TEXT NOT NULL,
    agent        TEXT NOT NULL,
    version      INTEGER NOT NULL,
    captured_at  TEXT NOT NULL,
    window_start TEXT NOT NULL,
    window_end   TEXT NOT NULL,
    summary_json TEXT NOT NULL CHECK (json_valid(summary_json)),
    UNIQUE (machine, agent, version),
    CHECK (window_start < window_end)
) STRICT;

CREATE TABLE gate_decisions (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    machine       TEXT NOT NULL,
    agent         TEXT NOT NULL,
    gate          TEXT NOT NULL,
    verdict       TEXT NOT NULL CHECK (verdict IN ('PASS', 'FAIL', 'HOLD')),
    rule          TEXT NOT NULL,
    summary       TEXT NOT NULL,
    evidence_json TEXT NOT NULL CHECK (json_valid(evidence_json))
) STRICT;

CREATE INDEX gate_decisions_by_agent ON gate_decisions (machine, agent, at);

CREATE TRIGGER agent_starts_append_only_update BEFORE UPDATE ON agent_starts
BEGIN
    SELECT RAISE(ABORT, 'agent_starts is append-only');
END;

CREATE TRIGGER agent_starts_append_only_delete BEFORE DELETE ON agent_starts
BEGIN
    SELECT RAISE(ABORT, 'agent_starts is append-only');
END;

CREATE TRIGGER health_probes_append_only_update BEFORE UPDATE ON health_probes
BEGIN
    SELECT RAISE(ABORT, 'health_probes is append-only');
END;

CREATE TRIGGER health_probes_append_only_delete BEFORE DELETE ON health_probes
BEGIN
    SELECT RAISE(ABORT, 'health_probes is append-only');
END;

CREATE TRIGGER runtime_baselines_append_only_update BEFORE UPDATE ON runtime_baselines
BEGIN
    SELECT RAISE(ABORT, 'runtime_baselines is append-only');
END;

CREATE TRIGGER runtime_baselines_append_only_delete BEFORE DELETE ON runtime_baselines
BEGIN
    SELECT RAISE(ABORT, 'runtime_baselines is append-only');
END;

CREATE TRIGGER gate_decisions_append_only_update BEFORE UPDATE ON gate_decisions
BEGIN
    SELECT RAISE(ABORT, 'gate_decisions is append-only');
END;

CREATE TRIGGER gate_decisions_append_only_delete BEFORE DELETE ON gate_decisions
BEGIN
    SELECT RAISE(ABORT, 'gate_decisions is append-only');
END;
