-- Runtime metrics. One row per scrape of an agent's /metrics (or per Prometheus query), failed ones
-- included with their error, and one row per sample a successful scrape gave. Times are integer
-- milliseconds since the epoch, not ISO text as elsewhere: a fleet writes millions of samples and
-- range queries compare them, and integers are half the size and compare without parsing.
CREATE TABLE metric_scrapes (
    id          INTEGER PRIMARY KEY,
    machine     TEXT    NOT NULL,
    agent       TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL,   -- when the request was sent
    source      TEXT    NOT NULL CHECK (source IN ('scrape', 'prometheus', 'import')),
    url         TEXT    NOT NULL,   -- the /metrics URL, the Prometheus query, or the imported file
    took_ms     REAL    NOT NULL,
    status      TEXT    NOT NULL,   -- ok, or the failure: unreachable, timeout, http_status, too_large, malformed
    error       TEXT,
    bytes       INTEGER NOT NULL DEFAULT 0,
    samples     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX metric_scrapes_agent_at ON metric_scrapes (machine, agent, at_ms);

-- A series is one metric name with one label set of one agent; samples refer to it by id so the
-- labels are stored once, not millions of times.
CREATE TABLE metric_series (
    id          INTEGER PRIMARY KEY,
    machine     TEXT NOT NULL,
    agent       TEXT NOT NULL,
    family      TEXT NOT NULL,      -- the family name (e.g. demo_request_duration_seconds)
    type        TEXT NOT NULL,      -- counter, gauge, histogram, summary, untyped, ...
    name        TEXT NOT NULL,      -- the sample name (e.g. demo_request_duration_seconds_bucket)
    labels_json TEXT NOT NULL,      -- labels as a JSON object, keys sorted
    UNIQUE (machine, agent, name, labels_json)
);

-- Clustered by series and time: a one-agent range query reads consecutive pages.
-- value is NULL for NaN (SQLite stores NaN as NULL); the infinities are stored as they are.
CREATE TABLE metric_samples (
    series_id   INTEGER NOT NULL REFERENCES metric_series (id),
    at_ms       INTEGER NOT NULL,
    scrape_id   INTEGER NOT NULL REFERENCES metric_scrapes (id),
    value       REAL,
    PRIMARY KEY (series_id, at_ms, scrape_id)
) WITHOUT ROWID;
CREATE INDEX metric_samples_scrape ON metric_samples (scrape_id);
