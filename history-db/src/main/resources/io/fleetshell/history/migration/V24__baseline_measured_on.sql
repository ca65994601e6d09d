-- Where a profile's loads ran (issue 20): "this computer", or the ssh destination of the agent's machine, whose
-- cores and disk the timings are of. Baselines stored before this version were all measured on this computer,
-- which NULL stands for.
ALTER TABLE baselines ADD COLUMN measured_on TEXT;
