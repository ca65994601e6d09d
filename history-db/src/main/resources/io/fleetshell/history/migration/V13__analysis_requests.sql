-- fleetshell history, schema 10: the synthetic requests a rollout's analysis sends to an agent, one row each,
-- so that the latency and error-rate gates decide on raw samples that explain can name. ordinal counts the
-- requests since the agent's last start: the first ones after a start are its first-use cost, reported apart
-- from steady-state latency. Append-only, like the other samples.

CREATE TABLE traffic_requests (
    id          INTEGER PRIMARY KEY,
    machine     TEXT NOT NULL,
    agent       TEXT NOT NULL,
    at          TEXT NOT NULL,
    request     TEXT NOT NULL,   -- e.g. GET /run?x=1
    status_code INTEGER,         -- null when no answer came
    millis      REAL NOT NULL,
    error       TEXT,            -- why no answer came
    ordinal     INTEGER NOT NULL CHECK (ordinal >= 1)
) STRICT;

CREATE INDEX traffic_requests_by_agent ON traffic_requests (machine, agent, at);

CREATE TRIGGER traffic_requests_append_only_update BEFORE UPDATE ON traffic_requests
BEGIN
    SELECT RAISE(ABORT, 'traffic_requests is append-only');
END;

CREATE TRIGGER traffic_requests_append_only_delete BEFORE DELETE ON traffic_requests
BEGIN
    SELECT RAISE(ABORT, 'traffic_requests is append-only');
END;
