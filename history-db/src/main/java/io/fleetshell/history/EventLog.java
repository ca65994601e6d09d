package io.fleetshell.history;

import io.fleetshell.engine.inventory.AgentId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The append-only log of commands run against the fleet. Events are only ever inserted (triggers in
 * the schema refuse updates and deletes) and read back newest first, optionally only those that
 * concerned one agent.
 */
public final class EventLog {

    private static final String INSERT_EVENT = """
            INSERT INTO events (at, command, arguments_json, exit_status, outcome, summary, details_json, pid, host)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id""";

    private static final String INSERT_EVENT_AGENT = """
            INSERT INTO event_agents (event_id, position, machine, name) VALUES (?, ?, ?, ?)""";

    private static final String SELECT_COLUMNS = """
            SELECT e.id, e.at, e.command, e.arguments_json, e.exit_status, e.outcome, e.summary, e.details_json,
                   e.pid, e.host,
                   (SELECT json_group_array(json_array(ea.machine, ea.name) ORDER BY ea.position)
                    FROM event_agents ea WHERE ea.event_id = e.id) AS agents_json
            FROM events e
            """;

    private static final String RECENT = SELECT_COLUMNS + """
            ORDER BY e.id DESC
            LIMIT ?1""";

    /** ?2 is the agent's name, ?3 its machine or null for any machine. */
    private static final String RECENT_FOR_AGENT = SELECT_COLUMNS + """
            WHERE e.id IN (SELECT ea.event_id FROM event_agents ea
                           WHERE ea.name = ?2 AND (?3 IS NULL OR ea.machine = ?3))
            ORDER BY e.id DESC
            LIMIT ?1""";

    private final HistoryDatabase database;

    public EventLog(HistoryDatabase database) {
        this.database = database;
    }

    /** Appends {@code event} (its id is ignored) and returns the id it was given. */
    public long append(Event event) {
        return database.write(c -> {
            long id;
            try (PreparedStatement insert = c.prepareStatement(INSERT_EVENT)) {
                insert.setString(1, Timestamps.format(event.at()));
                insert.setString(2, event.command());
                insert.setString(3, Json.write(event.arguments()));
                insert.setInt(4, event.exitStatus());
                insert.setString(5, event.outcome());
                insert.setString(6, event.summary());
                insert.setString(7, event.detailsJson());
                insert.setLong(8, event.pid());
                insert.setString(9, event.host());
                try (ResultSet key = insert.executeQuery()) {
                    key.next();
                    id = key.getLong(1);
                }
            }
            insertAgents(c, id, event.agents());
            return id;
        });
    }

    /**
     * The {@code limit} most recent events, newest first. With a filter, only events that concerned that
     * agent; a filter without a machine matches the name on any machine.
     */
    public List<Event> recent(AgentId filterOrNull, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        return database.read(c -> filterOrNull == null
                ? Rows.list(c, RECENT, EventLog::event, limit)
                : Rows.list(c, RECENT_FOR_AGENT, EventLog::event, limit, filterOrNull.name(), filterOrNull.machine()));
    }

    private static void insertAgents(Connection c, long eventId, List<AgentId> agents) throws SQLException {
        if (agents.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT_EVENT_AGENT)) {
            for (int position = 0; position < agents.size(); position++) {
                AgentId agent = agents.get(position);
                insert.setLong(1, eventId);
                insert.setInt(2, position);
                insert.setString(3, agent.machine());
                insert.setString(4, agent.name());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static Event event(ResultSet row) throws SQLException {
        List<AgentId> agents = Json.readPairs(row.getString("agents_json")).stream()
                .map(pair -> new AgentId(pair.get(0), pair.get(1)))
                .toList();
        return new Event(
                row.getLong("id"),
                Timestamps.parse(row.getString("at")),
                row.getString("command"),
                Json.readStringList(row.getString("arguments_json")),
                row.getInt("exit_status"),
                row.getString("outcome"),
                row.getString("summary"),
                row.getString("details_json"),
                agents,
                row.getLong("pid"),
                row.getString("host"));
    }
}
