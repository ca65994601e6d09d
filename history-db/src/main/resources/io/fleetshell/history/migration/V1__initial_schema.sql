-- fleetshell history, schema 1.
-- Current state: machines, config_sources (soft-deleted with forgotten_at), agents.
-- History, append-only (enforced by triggers): config_snapshots, events, event_agents.
-- Timestamps are ISO-8601 UTC text with milliseconds, e.g. 2026-11-03T09:15:02.123Z.

CREATE TABLE machines (
    name              TEXT NOT NULL PRIMARY KEY,
    fleet_root        TEXT,
    python            TEXT,
    environment_json  TEXT NOT NULL CHECK (json_valid(environment_json)),
    health_check_json TEXT NOT NULL CHECK (json_valid(health_check_json)),
    updated_at        TEXT NOT NULL
) STRICT;

-- One row per startup config ever loaded. forget() sets forgotten_at instead of deleting the row,
-- so the snapshots that reference it keep their foreign key; loading the file again clears it.
CREATE TABLE config_sources (
    id             INTEGER PRIMARY KEY,
    file           TEXT NOT NULL UNIQUE,
    machine        TEXT NOT NULL REFERENCES machines (name),
    machine_option TEXT,
    root_option    TEXT,
    loaded_at      TEXT NOT NULL,
    forgotten_at   TEXT
) STRICT;

CREATE INDEX config_sources_by_machine ON config_sources (machine) WHERE forgotten_at IS NULL;

CREATE TABLE config_snapshots (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES config_sources (id),
    sha256    TEXT NOT NULL,
    content   TEXT NOT NULL,
    loaded_at TEXT NOT NULL
) STRICT;

CREATE INDEX config_snapshots_by_source ON config_snapshots (source_id, id);

CREATE TABLE agents (
    machine           TEXT NOT NULL REFERENCES machines (name),
    name              TEXT NOT NULL,
    group_name        TEXT,
    script_path       TEXT,
    resolved_path     TEXT,
    resolution_status TEXT,
    resolution_detail TEXT,
    host              TEXT,
    port              INTEGER,
    health_check_port INTEGER,
    required          INTEGER NOT NULL CHECK (required IN (0, 1)),
    dependencies_json TEXT NOT NULL CHECK (json_valid(dependencies_json)),
    config_json       TEXT NOT NULL CHECK (json_valid(config_json)),
    infrastructure    INTEGER NOT NULL CHECK (infrastructure IN (0, 1)),
    config_line       INTEGER NOT NULL,
    source_id         INTEGER NOT NULL REFERENCES config_sources (id),
    snapshot_id       INTEGER NOT NULL REFERENCES config_snapshots (id),
    PRIMARY KEY (machine, name)
) STRICT;

CREATE INDEX agents_by_source ON agents (source_id);

-- Every command the shell ran. id order is commit order, also across processes.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,
    command        TEXT NOT NULL,
    arguments_json TEXT NOT NULL CHECK (json_valid(arguments_json)),
    exit_status    INTEGER NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'invalid')),
    summary        TEXT,
    details_json   TEXT CHECK (details_json IS NULL OR json_valid(details_json)),
    pid            INTEGER NOT NULL,
    host           TEXT
) STRICT;

-- The agents an event concerned, in the order the event listed them. machine may be null when the
-- command named an agent without its machine.
CREATE TABLE event_agents (
    event_id INTEGER NOT NULL REFERENCES events (id),
    position INTEGER NOT NULL,
    machine  TEXT,
    name     TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
) STRICT;

CREATE INDEX event_agents_by_agent ON event_agents (name, machine, event_id);

CREATE TRIGGER config_snapshots_append_only_update BEFORE UPDATE ON config_snapshots
BEGIN
    SELECT RAISE(ABORT, 'config_snapshots is append-only');
END;

CREATE TRIGGER config_snapshots_append_only_delete BEFORE DELETE ON config_snapshots
BEGIN
    SELECT RAISE(ABORT, 'config_snapshots is append-only');
END;

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events is append-only');
END;

CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events is append-only');
END;

CREATE TRIGGER event_agents_append_only_update BEFORE UPDATE ON event_agents
BEGIN
    SELECT RAISE(ABORT, 'event_agents is append-only');
END;

CREATE TRIGGER event_agents_append_only_delete BEFORE DELETE ON event_agents
BEGIN
    SELECT RAISE(ABORT, 'event_agents is append-only');
END;
