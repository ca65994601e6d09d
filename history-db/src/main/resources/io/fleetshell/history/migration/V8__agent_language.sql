-- The language of each agent (python or java) and, for Java agents, how they are built and run
-- (main_class, source_root, classpath, jvm_options, java, run_command from the startup config).
ALTER TABLE agents ADD COLUMN language TEXT NOT NULL DEFAULT 'python';
ALTER TABLE agents ADD COLUMN java_launch_json TEXT;
