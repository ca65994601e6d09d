-- Containment and ownership (issue 17 items 1 and 4). Each step keeps the real path its file had when the plan was
-- made (its directory's symlinks resolved): a write or restore is refused when the file resolves elsewhere then, as
-- when a directory was swapped for a symlink out of the fleet root between two batches. Each backup keeps the real
-- path it was read from and the file's owner and group, given back on rollback and on the automatic restore.
-- Rows stored before this version have nulls: their steps are checked against the stored path itself.
ALTER TABLE deployment_steps ADD COLUMN real_path TEXT;
ALTER TABLE backups ADD COLUMN real_path TEXT;
ALTER TABLE backups ADD COLUMN owner TEXT;
ALTER TABLE backups ADD COLUMN grp TEXT;
