-- Steps of several files (issue 14 item 4). A step that rewrites a shared module names the module (its dotted name; the
-- step's machine and agent columns then hold the module's machine and that name) and the agents that import it, which
-- it restarts and gates together. Its files, in the order it writes them, are rows of step_files: each with its real
-- path and both checksums, before_sha256 NULL for a file the step creates (absent before it; a rollback removes it),
-- before_sha256 = after_sha256 for a file the step only relies on (a helper module another step created): checked for
-- drift, never written, and kept from removal by a rollback of the step that created it while this step is in place.
-- The step's own file stays in deployment_steps (file, before_sha256, after_sha256, real_path) and is one of the rows.
-- A step of one file has no row here: its columns say everything, as before this version.
ALTER TABLE deployment_steps ADD COLUMN module TEXT;
ALTER TABLE deployment_steps ADD COLUMN dependents_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(dependents_json));

CREATE TABLE step_files (
    step_id       INTEGER NOT NULL REFERENCES deployment_steps (id),
    ordinal       INTEGER NOT NULL CHECK (ordinal >= 1),
    file          TEXT NOT NULL,
    real_path     TEXT NOT NULL,
    before_sha256 TEXT REFERENCES blobs (sha256),
    after_sha256  TEXT NOT NULL REFERENCES blobs (sha256),
    PRIMARY KEY (step_id, ordinal),
    UNIQUE (step_id, file)
) STRICT;

CREATE INDEX deployment_steps_by_module ON deployment_steps (module, id) WHERE module IS NOT NULL;

-- A backup of a file the step created records its absence: absent = 1, sha256 the empty content's.
ALTER TABLE backups ADD COLUMN absent INTEGER NOT NULL DEFAULT 0 CHECK (absent IN (0, 1));
