-- The commands a startup config gives for an agent: its own tests (run by proofs) and how to
-- restart it when it is managed outside fleetshell (agent-level, else the machine's global_settings).
ALTER TABLE agents ADD COLUMN test_command TEXT;
ALTER TABLE agents ADD COLUMN restart_command TEXT;
