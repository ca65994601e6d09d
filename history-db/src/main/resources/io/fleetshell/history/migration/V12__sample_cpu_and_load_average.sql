-- Each profile sample's CPU time and the machine's one-minute load average when its load started (issue 16
-- item 9): a figure measured on a busy machine says so itself. Samples stored before this version have NULL
-- (not recorded).
ALTER TABLE baseline_samples ADD COLUMN cpu_ms REAL;
ALTER TABLE baseline_samples ADD COLUMN load_average REAL;
