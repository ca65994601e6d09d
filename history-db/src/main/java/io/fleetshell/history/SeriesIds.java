package io.fleetshell.history;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.metrics.Sample;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The ids of the metric series a connection has seen, per agent, kept between writes so that a {@code watch} cycle
 * does not read every agent's series again nor build every sample's label JSON to find its id. The cache is only as
 * good as the table: {@link #validate} drops it when another connection committed since (SQLite's {@code PRAGMA
 * data_version}), {@link #clear} when this connection deleted series or a write rolled back.
 */
final class SeriesIds {

    private static final String AGENT_SERIES = "SELECT id, name, labels_json FROM metric_series WHERE machine = ? AND agent = ?";

    private final Map<AgentId, Agent> agents = new HashMap<>();
    private long dataVersion = Long.MIN_VALUE;

    /** Called at the start of every write that uses the ids: forgets them if another connection wrote meanwhile. */
    void validate(Connection c) throws SQLException {
        long now;
        try (PreparedStatement version = c.prepareStatement("PRAGMA data_version"); ResultSet row = version.executeQuery()) {
            row.next();
            now = row.getLong(1);
        }
        if (now != dataVersion) {
            agents.clear();
            dataVersion = now;
        }
    }

    void clear() {
        agents.clear();
        dataVersion = Long.MIN_VALUE;
    }

    /** The agent's series, read from the table on first use. */
    Agent of(Connection c, AgentId agent) throws SQLException {
        Agent known = agents.get(agent);
        if (known == null) {
            known = new Agent();
            Agent into = known;
            Rows.list(c, AGENT_SERIES, row -> into.canonical.put(row.getString(2) + '\u0000' + row.getString(3), row.getLong(1)),
                    agent.machine(), agent.name());
            agents.put(agent, known);
        }
        return known;
    }

    /**
     * One agent's series: by stored name and label JSON (what the table holds), by sample name and label map, and by
     * position in the agent's last scrape. Consecutive scrapes of one agent list the same samples in the same order,
     * so the position finds the id with two comparisons of strings the parser shares across scrapes, without a hash
     * lookup; a sample that moved falls back to the map.
     */
    static final class Agent {
        private final Map<String, Long> canonical = new HashMap<>();
        private final Map<Key, Long> bySample = new HashMap<>();
        private String[] lastNames = new String[64];
        private Map<?, ?>[] lastLabels = new Map<?, ?>[64];
        private long[] lastIds = new long[64];
        private int lastSize;

        /** The series id of a sample seen before with the same name and labels, or -1; {@code position}: its index in its scrape. */
        long id(int position, Sample s) {
            if (position < lastSize) {
                String name = lastNames[position];
                if ((name == s.name() || name.equals(s.name())) && s.labels().equals(lastLabels[position])) {
                    return lastIds[position];
                }
            }
            Long id = bySample.get(new Key(s.name(), s.labels()));
            return id == null ? -1 : id;
        }

        /** The id of a stored series, by name and label JSON (keys sorted), or -1. */
        long known(String name, String labelsJson) {
            Long id = canonical.get(name + '\u0000' + labelsJson);
            return id == null ? -1 : id;
        }

        void add(String name, String labelsJson, long id) {
            canonical.put(name + '\u0000' + labelsJson, id);
        }

        /** Remembers a sample's id by its name and labels (once) and as the one at {@code position} of the scrape. */
        void remember(int position, Sample s, long id, boolean found) {
            if (!found) {
                bySample.put(new Key(s.name(), s.labels()), id);
            }
            if (position >= lastIds.length) {
                int n = Math.max(position + 1, lastIds.length * 2);
                lastNames = Arrays.copyOf(lastNames, n);
                lastLabels = Arrays.copyOf(lastLabels, n);
                lastIds = Arrays.copyOf(lastIds, n);
            }
            lastNames[position] = s.name();
            lastLabels[position] = s.labels();
            lastIds[position] = id;
            lastSize = Math.max(lastSize, position + 1);
        }

        /** Distinct series stored for this agent. */
        int size() {
            return canonical.size();
        }
    }

    /**
     * Map equality ignores the order labels were written in, as the sorted label JSON does. A class, not a record: a
     * record's equals and hashCode are bootstrapped through method handles at first use, which a one-shot
     * {@code metrics import} pays for in its measured store time.
     */
    private static final class Key {
        private final String name;
        private final Map<String, String> labels;

        Key(String name, Map<String, String> labels) {
            this.name = name;
            this.labels = labels;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && name.equals(k.name) && labels.equals(k.labels);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + labels.hashCode();
        }
    }
}
