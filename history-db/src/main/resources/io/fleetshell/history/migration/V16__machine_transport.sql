-- fleetshell history, schema 16: how a remote machine is reached (issue 20). ssh_json is the machine's SshAccess
-- (destination, port, identity file, ssh config, options, tunnel, forks, state dir) as settings.yaml or the config's
-- global_settings gave it when the config loaded, NULL for this computer. config_sources.on_machine is 1 for a config
-- read from its machine over ssh (inventory load pc2:/srv/fleet/config.yaml), so a refresh reads it there again.
ALTER TABLE machines ADD COLUMN ssh_json TEXT;
ALTER TABLE config_sources ADD COLUMN on_machine INTEGER NOT NULL DEFAULT 0;
