-- What each planned step's rewrite defers and removes, as its patterns said when the plan was made: the
-- proof times the first use of each deferred name and allows the absence of each removed one. Stored with
-- the step so that deploy resume and deploy recover prove the planned rewrite without rewriting again.
-- Steps stored before this version have none (empty lists): their proof then times no first use.
ALTER TABLE deployment_steps ADD COLUMN deferred_names_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(deferred_names_json));
ALTER TABLE deployment_steps ADD COLUMN removed_names_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(removed_names_json));
