package io.fleetshell.history;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentCommands;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.JavaLaunch;
import io.fleetshell.engine.inventory.Language;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.ScriptResolution;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The inventory as last loaded, and the text of every startup config it was loaded from. Saving a
 * config replaces that config's agents and keeps its text as a new snapshot when it changed; configs
 * are never deleted, only forgotten: their agents go, their row and snapshots stay as history.
 * Each agent ({@code machine/name}) belongs to exactly one config.
 */
public final class InventoryStore {

    private static final String UPSERT_MACHINE = """
            INSERT INTO machines (name, fleet_root, python, environment_json, health_check_json, updated_at, ssh_json)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET
                fleet_root = excluded.fleet_root,
                ssh_json = excluded.ssh_json,
                python = excluded.python,
                environment_json = excluded.environment_json,
                health_check_json = excluded.health_check_json,
                updated_at = excluded.updated_at""";

    private static final String UPSERT_SOURCE = """
            INSERT INTO config_sources (file, machine, machine_option, root_option, loaded_at, on_machine)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (file) DO UPDATE SET
                machine = excluded.machine,
                on_machine = excluded.on_machine,
                machine_option = excluded.machine_option,
                root_option = excluded.root_option,
                loaded_at = excluded.loaded_at,
                forgotten_at = NULL
            RETURNING id""";

    private static final String LATEST_SNAPSHOT_OF_SOURCE = """
            SELECT id, sha256 FROM config_snapshots WHERE source_id = ? ORDER BY id DESC LIMIT 1""";

    private static final String INSERT_SNAPSHOT = """
            INSERT INTO config_snapshots (source_id, sha256, content, loaded_at) VALUES (?, ?, ?, ?)
            RETURNING id""";

    private static final String DELETE_AGENTS_OF_SOURCE = """
            DELETE FROM agents WHERE source_id = ?""";

    /** Inserts nothing when machine/name is taken; the caller then says by whom. */
    private static final String INSERT_AGENT = """
            INSERT INTO agents (machine, name, group_name, script_path, resolved_path, resolution_status,
                                resolution_detail, host, port, health_check_port, required, dependencies_json,
                                config_json, infrastructure, config_line, source_id, snapshot_id,
                                test_command, restart_command, language, java_launch_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (machine, name) DO NOTHING""";

    private static final String AGENT_OWNER = """
            SELECT s.file, a.config_line FROM agents a JOIN config_sources s ON s.id = a.source_id
            WHERE a.machine = ? AND a.name = ?""";

    private static final String SELECT_SOURCES = """
            SELECT file, machine_option, root_option, on_machine FROM config_sources
            WHERE forgotten_at IS NULL
            ORDER BY id""";

    private static final String SELECT_MACHINES = """
            SELECT name, fleet_root, python, environment_json, health_check_json, ssh_json FROM machines m
            WHERE EXISTS (SELECT 1 FROM config_sources s WHERE s.machine = m.name AND s.forgotten_at IS NULL)
            ORDER BY name""";

    private static final String SELECT_AGENTS = """
            SELECT a.machine, a.name, a.group_name, a.script_path, a.resolved_path, a.resolution_status,
                   a.resolution_detail, a.host, a.port, a.health_check_port, a.required, a.dependencies_json,
                   a.config_json, a.infrastructure, a.config_line, a.test_command, a.restart_command, a.language,
                   a.java_launch_json, s.file
            FROM agents a JOIN config_sources s ON s.id = a.source_id
            ORDER BY a.machine, a.name""";

    private static final String SELECT_SCRIPT_PATHS = """
            SELECT DISTINCT a.resolved_path FROM agents a JOIN config_sources s ON s.id = a.source_id
            WHERE a.resolved_path IS NOT NULL ORDER BY a.resolved_path""";

    private static final String LATEST_SNAPSHOT_OF_FILE = """
            SELECT n.content FROM config_snapshots n JOIN config_sources s ON s.id = n.source_id
            WHERE s.file = ?
            ORDER BY n.id DESC LIMIT 1""";

    private static final String FORGET_SOURCE = """
            UPDATE config_sources SET forgotten_at = ? WHERE file = ? AND forgotten_at IS NULL
            RETURNING id""";

    private final HistoryDatabase database;

    public InventoryStore(HistoryDatabase database) {
        this.database = database;
    }

    /**
     * Saves one loaded config in one transaction: its machine, its source, a snapshot of its text when
     * that changed, and its agents in place of the ones it had.
     *
     * @throws FleetshellException with {@link ErrorCode#BAD_INPUT} when one of its agents is already
     *                             defined by another config; nothing is saved then
     * @throws IllegalArgumentException when an agent's machine or config file is not the config's own
     */
    public void save(LoadedConfig loaded) {
        saveAll(List.of(loaded));
    }

    /**
     * Saves several loaded configs in one transaction, all or nothing. The configs' old agents are
     * removed before any new one is added, so an agent may move from one of these configs to another.
     * A file given twice is saved as its last occurrence.
     *
     * @throws FleetshellException with {@link ErrorCode#BAD_INPUT} when an agent is defined twice, by
     *                             these configs or by another loaded config; nothing is saved then
     */
    public void saveAll(List<LoadedConfig> configs) {
        Map<Path, LoadedConfig> byFile = new LinkedHashMap<>();
        for (LoadedConfig loaded : configs) {
            checkAgentsBelongTo(loaded);
            byFile.remove(loaded.source().file());
            byFile.put(loaded.source().file(), loaded);
        }
        if (byFile.isEmpty()) {
            return;
        }
        database.write(c -> {
            String now = Timestamps.now();
            List<Saved> saved = new ArrayList<>();
            for (LoadedConfig loaded : byFile.values()) {
                upsertMachine(c, loaded.machine(), now);
                long sourceId = upsertSource(c, loaded, now);
                saved.add(new Saved(loaded, sourceId, snapshot(c, sourceId, loaded, now)));
            }
            try (PreparedStatement delete = c.prepareStatement(DELETE_AGENTS_OF_SOURCE)) {
                for (Saved config : saved) {
                    delete.setLong(1, config.sourceId());
                    delete.executeUpdate();
                }
            }
            for (Saved config : saved) {
                insertAgents(c, config);
            }
            return null;
        });
    }

    /** A config whose source and snapshot rows are written, its agents not yet. */
    private record Saved(LoadedConfig loaded, long sourceId, long snapshotId) {
    }

    /** The configs the inventory is loaded from, in the order they were first loaded. */
    public List<ConfigSource> sources() {
        return database.read(c -> Rows.list(c, SELECT_SOURCES, row -> new ConfigSource(
                Path.of(row.getString("file")), row.getString("machine_option"), path(row.getString("root_option")),
                row.getInt("on_machine") == 1)));
    }

    /** The machines that some loaded config describes, and every loaded agent. */
    public Inventory inventory() {
        return database.read(c -> new Inventory(
                Rows.list(c, SELECT_MACHINES, row -> new Machine(
                        row.getString("name"),
                        path(row.getString("fleet_root")),
                        row.getString("python"),
                        Json.readStringMap(row.getString("environment_json")),
                        Json.readMap(row.getString("health_check_json")),
                        ssh(row.getString("ssh_json")))),
                Rows.list(c, SELECT_AGENTS, InventoryStore::agent)));
    }

    /** The text {@code configFile} had when it was last saved, also after it was forgotten. */
    /**
     * The directories of the agents' scripts that were found, as {@link #inventory()} gives them, without reading
     * the rest: the start-up sweep looks through them at every start.
     */
    public List<Path> scriptDirectories() {
        return database.read(c -> Rows.list(c, SELECT_SCRIPT_PATHS, row -> Path.of(row.getString(1)).getParent()))
                .stream().distinct().toList();
    }

    public Optional<String> latestSnapshot(Path configFile) {
        return database.read(c -> {
            try (PreparedStatement query = c.prepareStatement(LATEST_SNAPSHOT_OF_FILE)) {
                query.setString(1, normalized(configFile));
                try (ResultSet row = query.executeQuery()) {
                    return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Removes the agents of {@code configFile} from the inventory. Its source row and snapshots stay as
     * history; saving the file again brings it back.
     *
     * @throws FleetshellException with {@link ErrorCode#UNKNOWN_NAME} when no loaded config has that file
     */
    public void forget(Path configFile) {
        String file = normalized(configFile);
        database.write(c -> {
            long sourceId;
            try (PreparedStatement update = c.prepareStatement(FORGET_SOURCE)) {
                update.setString(1, Timestamps.now());
                update.setString(2, file);
                try (ResultSet row = update.executeQuery()) {
                    if (!row.next()) {
                        throw new FleetshellException(ErrorCode.UNKNOWN_NAME,
                                "No config " + file + " is loaded, so there is nothing to forget; `inventory"
                                        + " sources` lists the loaded ones. Nothing was changed.");
                    }
                    sourceId = row.getLong(1);
                }
            }
            try (PreparedStatement delete = c.prepareStatement(DELETE_AGENTS_OF_SOURCE)) {
                delete.setLong(1, sourceId);
                delete.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Agents are stored under their config's source row and rebuilt with its file and machine, so they
     * must agree with it; anything else is a bug in the caller, not bad user input.
     */
    private static void checkAgentsBelongTo(LoadedConfig loaded) {
        for (Agent agent : loaded.agents()) {
            if (!loaded.machine().name().equals(agent.machine())) {
                throw new IllegalArgumentException("Agent " + agent.id() + " is not on machine "
                        + loaded.machine().name() + " of " + loaded.source().file());
            }
            if (!loaded.source().file().equals(agent.configFile())) {
                throw new IllegalArgumentException("Agent " + agent.id() + " comes from " + agent.configFile()
                        + ", not from " + loaded.source().file());
            }
        }
    }

    private static Map<String, Object> ssh(SshAccess access) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("destination", access.destination());
        out.put("port", access.port());
        out.put("identity_file", text(access.identityFile()));
        out.put("ssh_config", text(access.sshConfig()));
        out.put("options", new java.util.TreeMap<>(access.options()));
        out.put("tunnel", access.tunnel());
        out.put("forks", access.forks());
        out.put("state_dir", access.stateDir());
        return out;
    }

    private static SshAccess ssh(String json) {
        if (json == null) {
            return null;
        }
        Map<String, Object> m = Json.readMap(json);
        Map<String, String> options = new java.util.LinkedHashMap<>();
        if (m.get("options") instanceof Map<?, ?> o) {
            o.forEach((k, v) -> options.put(String.valueOf(k), String.valueOf(v)));
        }
        return new SshAccess((String) m.get("destination"), m.get("port") == null ? null : ((Number) m.get("port")).intValue(),
                path((String) m.get("identity_file")), path((String) m.get("ssh_config")), options, Boolean.TRUE.equals(m.get("tunnel")),
                ((Number) m.get("forks")).intValue(), (String) m.get("state_dir"));
    }

    private static void upsertMachine(Connection c, Machine machine, String now) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement(UPSERT_MACHINE)) {
            upsert.setString(1, machine.name());
            upsert.setString(2, text(machine.fleetRoot()));
            upsert.setString(3, machine.python());
            upsert.setString(4, Json.write(machine.environment()));
            upsert.setString(5, Json.write(machine.healthCheck()));
            upsert.setString(6, now);
            upsert.setString(7, machine.ssh() == null ? null : Json.write(ssh(machine.ssh())));
            upsert.executeUpdate();
        }
    }

    private static long upsertSource(Connection c, LoadedConfig loaded, String now) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement(UPSERT_SOURCE)) {
            upsert.setString(1, loaded.source().file().toString());
            upsert.setString(2, loaded.machine().name());
            upsert.setString(3, loaded.source().machine());
            upsert.setString(4, text(loaded.source().root()));
            upsert.setString(5, now);
            upsert.setInt(6, loaded.source().onMachine() ? 1 : 0);
            try (ResultSet id = upsert.executeQuery()) {
                id.next();
                return id.getLong(1);
            }
        }
    }

    /** The id of the source's latest snapshot, added first when the text changed. */
    private static long snapshot(Connection c, long sourceId, LoadedConfig loaded, String now) throws SQLException {
        try (PreparedStatement latest = c.prepareStatement(LATEST_SNAPSHOT_OF_SOURCE)) {
            latest.setLong(1, sourceId);
            try (ResultSet row = latest.executeQuery()) {
                if (row.next() && row.getString("sha256").equals(loaded.sha256())) {
                    return row.getLong("id");
                }
            }
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT_SNAPSHOT)) {
            insert.setLong(1, sourceId);
            insert.setString(2, loaded.sha256());
            insert.setString(3, loaded.content());
            insert.setString(4, now);
            try (ResultSet id = insert.executeQuery()) {
                id.next();
                return id.getLong(1);
            }
        }
    }

    private static void insertAgents(Connection c, Saved config) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT_AGENT)) {
            for (Agent agent : config.loaded().agents()) {
                ScriptResolution script = agent.script();
                insert.setString(1, agent.machine());
                insert.setString(2, agent.name());
                insert.setString(3, agent.group());
                insert.setString(4, agent.scriptPath());
                insert.setString(5, script == null ? null : text(script.path()));
                insert.setString(6, script == null || script.status() == null ? null : script.status().name());
                insert.setString(7, script == null ? null : script.detail());
                insert.setString(8, agent.host());
                setInteger(insert, 9, agent.port());
                setInteger(insert, 10, agent.healthCheckPort());
                insert.setInt(11, agent.required() ? 1 : 0);
                insert.setString(12, Json.write(agent.dependencies()));
                insert.setString(13, Json.write(agent.config()));
                insert.setInt(14, agent.infrastructure() ? 1 : 0);
                insert.setInt(15, agent.configLine());
                insert.setLong(16, config.sourceId());
                insert.setLong(17, config.snapshotId());
                insert.setString(18, agent.commands().test());
                insert.setString(19, agent.commands().restart());
                insert.setString(20, agent.language().id());
                insert.setString(21, agent.java() == null ? null : Json.write(javaJson(agent.java())));
                if (insert.executeUpdate() == 0) {
                    throw alreadyDefined(c, agent);
                }
            }
        }
    }

    private static FleetshellException alreadyDefined(Connection c, Agent agent) throws SQLException {
        try (PreparedStatement query = c.prepareStatement(AGENT_OWNER)) {
            query.setString(1, agent.machine());
            query.setString(2, agent.name());
            try (ResultSet owner = query.executeQuery()) {
                owner.next();
                String where = owner.getString("file") + ":" + owner.getInt("config_line");
                String here = agent.configFile() + ":" + agent.configLine();
                String fix = owner.getString("file").equals(agent.configFile().toString())
                        ? "Rename one of the two entries."
                        : "Rename one of them, or run `inventory unload " + owner.getString("file")
                                + "` first if that config no longer describes the fleet.";
                return new FleetshellException(ErrorCode.BAD_INPUT,
                        "Agent " + agent.id() + " at " + here + " is already defined in " + where + ". " + fix
                                + " Nothing was saved: the inventory is as it was before.");
            }
        }
    }

    private static Agent agent(ResultSet row) throws SQLException {
        String status = row.getString("resolution_status");
        ScriptResolution script = status == null ? null : new ScriptResolution(
                ScriptResolution.Status.valueOf(status),
                path(row.getString("resolved_path")),
                row.getString("resolution_detail"));
        return new Agent(
                new AgentId(row.getString("machine"), row.getString("name")),
                row.getString("group_name"),
                row.getString("script_path"),
                script,
                row.getString("host"),
                integer(row, "port"),
                integer(row, "health_check_port"),
                row.getInt("required") == 1,
                Json.readStringList(row.getString("dependencies_json")),
                Json.readMap(row.getString("config_json")),
                new AgentCommands(row.getString("test_command"), row.getString("restart_command")),
                row.getInt("infrastructure") == 1,
                Path.of(row.getString("file")),
                row.getInt("config_line"),
                Language.named(row.getString("language")).orElse(Language.PYTHON),
                javaLaunch(row.getString("java_launch_json")));
    }

    private static Map<String, Object> javaJson(JavaLaunch java) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("main_class", java.mainClass());
        json.put("source_root", java.sourceRoot());
        json.put("classpath", java.classpath());
        json.put("jvm_options", java.jvmOptions());
        json.put("java", java.java());
        json.put("run_command", java.runCommand());
        return json;
    }

    @SuppressWarnings("unchecked")
    private static JavaLaunch javaLaunch(String json) {
        if (json == null) {
            return null;
        }
        Map<String, Object> m = Json.readMap(json);
        return new JavaLaunch((String) m.get("main_class"), (String) m.get("source_root"),
                (List<String>) m.get("classpath"), (List<String>) m.get("jvm_options"), (String) m.get("java"),
                (String) m.get("run_command"));
    }

    private static void setInteger(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }

    private static Integer integer(ResultSet row, String column) throws SQLException {
        int value = row.getInt(column);
        return row.wasNull() ? null : value;
    }

    private static String text(Path path) {
        return path == null ? null : path.toString();
    }

    private static Path path(String text) {
        return text == null ? null : Path.of(text);
    }

    private static String normalized(Path file) {
        return file.toAbsolutePath().normalize().toString();
    }
}
