package io.fleetshell.history;

import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.runtime.ProbeSample;
import io.fleetshell.engine.runtime.RequestSample;
import io.fleetshell.engine.runtime.RuntimeBaseline;
import io.fleetshell.engine.runtime.RuntimeHistory;
import io.fleetshell.engine.runtime.StartOutcome;
import io.fleetshell.engine.runtime.StartSample;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Run-time history: agent starts with their time-to-healthy, health probes, runtime baseline windows
 * and gate decisions with their evidence. Append-only, like the rest of the history.
 */
public final class RuntimeStore implements RuntimeHistory {

    private static final String INSERT_START = """
            INSERT INTO agent_starts (machine, agent, started_at, method, pid, healthy, time_to_healthy_ms, waited_ms, probe,
                                      command, reason, log_tail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""";
    private static final String INSERT_PROBE = """
            INSERT INTO health_probes (machine, agent, at, target, outcome, status_code, millis, detail, reported_agent,
                                       clock_skew_ms, rss_kb)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""";
    private static final String STARTS = """
            SELECT * FROM agent_starts WHERE machine = ? AND agent = ? AND started_at >= ? AND started_at < ?
            ORDER BY started_at, id""";
    private static final String PROBES = """
            SELECT * FROM health_probes WHERE machine = ? AND agent = ? AND at >= ? AND at < ? ORDER BY at, id""";
    private static final String LATEST_HEALTHY_STARTS = """
            SELECT machine, agent, time_to_healthy_ms FROM (
                SELECT machine, agent, time_to_healthy_ms,
                       ROW_NUMBER() OVER (PARTITION BY machine, agent ORDER BY started_at DESC, id DESC) AS newest
                FROM agent_starts WHERE healthy = 1 AND time_to_healthy_ms IS NOT NULL)
            WHERE newest = 1""";
    private static final String BASELINE_VERSIONS = """
            SELECT * FROM runtime_baselines WHERE machine = ? AND agent = ? ORDER BY version DESC""";
    private static final String LATEST_BASELINES = """
            SELECT * FROM runtime_baselines b
            WHERE version = (SELECT MAX(version) FROM runtime_baselines WHERE machine = b.machine AND agent = b.agent)
            ORDER BY machine, agent""";
    private static final String INSERT_BASELINE = """
            INSERT INTO runtime_baselines (machine, agent, version, captured_at, window_start, window_end, summary_json)
            VALUES (?, ?, (SELECT COALESCE(MAX(version), 0) + 1 FROM runtime_baselines WHERE machine = ? AND agent = ?), ?, ?, ?, ?)
            RETURNING id, version""";
    private static final String INSERT_DECISION = """
            INSERT INTO gate_decisions (at, machine, agent, gate, verdict, rule, summary, evidence_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""";
    private static final String DECISIONS_OF_AGENT = """
            SELECT * FROM gate_decisions WHERE machine = ? AND agent = ? ORDER BY id DESC LIMIT ?""";
    private static final String DECISION = "SELECT * FROM gate_decisions WHERE id = ?";
    private static final String INSERT_REQUEST = """
            INSERT INTO traffic_requests (machine, agent, at, request, status_code, millis, error, ordinal)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""";
    private static final String REQUESTS = """
            SELECT * FROM traffic_requests WHERE machine = ? AND agent = ? AND at >= ? AND at < ? ORDER BY at, id""";

    private final HistoryDatabase database;

    public RuntimeStore(HistoryDatabase database) {
        this.database = database;
    }

    @Override
    public long recordStart(StartOutcome outcome) {
        return switch (outcome) {
            case StartOutcome.Healthy h -> insertStart(h.agent(), h.spawnedAt(), h.method(), h.pid(), true,
                    h.timeToHealthy().toNanos() / 1e6, h.timeToHealthy().toNanos() / 1e6, h.probe(), h.command(), null, null);
            case StartOutcome.Unhealthy u -> insertStart(u.agent(), u.spawnedAt(), u.method(), u.pid(), false, null,
                    u.waited().toNanos() / 1e6, u.probe(), u.command(), u.reason(), u.logTail());
            default -> throw new IllegalArgumentException("only measured starts are stored, not " + outcome);
        };
    }

    private long insertStart(AgentId agent, Instant at, StartOutcome.Method method, long pid, boolean healthy, Double tth,
                             double waited, String probe, String command, String reason, String logTail) {
        return database.write(c -> insertReturningId(c, INSERT_START, agent.machine(), agent.name(), Timestamps.format(at),
                method.label(), pid > 0 ? pid : null, healthy ? 1 : 0, tth, waited, probe, command, reason, logTail));
    }

    @Override
    public long recordProbe(ProbeResult p) {
        return database.write(c -> insertReturningId(c, INSERT_PROBE, p.agent().machine(), p.agent().name(),
                Timestamps.format(p.at()), p.target(), p.outcome().name().toLowerCase(Locale.ROOT), p.statusCode(), p.millis(),
                p.detail(), p.reportedAgent(), p.clockSkewMillis(), p.rssKb()));
    }

    @Override
    public List<StartSample> starts(AgentId agent, Instant from, Instant to) {
        return database.read(c -> Rows.list(c, STARTS, row -> new StartSample(row.getLong("id"), agent,
                Timestamps.parse(row.getString("started_at")),
                StartOutcome.Method.valueOf(row.getString("method").toUpperCase(Locale.ROOT)), row.getInt("healthy") == 1,
                (Double) row.getObject("time_to_healthy_ms")), agent.machine(), agent.name(), Timestamps.format(from), Timestamps.format(to)));
    }

    @Override
    public List<ProbeSample> probes(AgentId agent, Instant from, Instant to) {
        return database.read(c -> Rows.list(c, PROBES, row -> new ProbeSample(row.getLong("id"), new ProbeResult(agent,
                Timestamps.parse(row.getString("at")), row.getString("target"),
                ProbeResult.Outcome.valueOf(row.getString("outcome").toUpperCase(Locale.ROOT)), integer(row, "status_code"),
                row.getDouble("millis"), row.getString("detail"), row.getString("reported_agent"), longValue(row, "clock_skew_ms"),
                longValue(row, "rss_kb"))), agent.machine(), agent.name(), Timestamps.format(from), Timestamps.format(to)));
    }

    @Override
    public List<RequestSample> recordRequests(List<RequestSample> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        return database.write(c -> {
            List<RequestSample> stored = new java.util.ArrayList<>();
            for (RequestSample r : requests) {
                stored.add(r.stored(insertReturningId(c, INSERT_REQUEST, r.agent().machine(), r.agent().name(), Timestamps.format(r.at()),
                        r.request(), r.statusCode(), r.millis(), r.error(), r.ordinal())));
            }
            return stored;
        });
    }

    @Override
    public List<RequestSample> requests(AgentId agent, Instant from, Instant to) {
        return database.read(c -> Rows.list(c, REQUESTS, row -> new RequestSample(row.getLong("id"), agent,
                Timestamps.parse(row.getString("at")), row.getString("request"), integer(row, "status_code"), row.getDouble("millis"),
                row.getString("error"), row.getInt("ordinal")), agent.machine(), agent.name(), Timestamps.format(from), Timestamps.format(to)));
    }

    /** Stores a new runtime baseline version of the agent: the window and what it held when captured. */
    @Override
    public RuntimeBaseline captureBaseline(AgentId agent, Instant windowStart, Instant windowEnd, Map<String, Object> summary) {
        Instant now = Instant.now();
        return database.write(c -> {
            try (PreparedStatement insert = c.prepareStatement(INSERT_BASELINE)) {
                Object[] values = {agent.machine(), agent.name(), agent.machine(), agent.name(), Timestamps.format(now),
                        Timestamps.format(windowStart), Timestamps.format(windowEnd), Json.write(summary)};
                for (int i = 0; i < values.length; i++) {
                    insert.setObject(i + 1, values[i]);
                }
                try (ResultSet key = insert.executeQuery()) {
                    key.next();
                    return new RuntimeBaseline(key.getLong(1), agent, key.getInt(2), Timestamps.parse(Timestamps.format(now)),
                            Timestamps.parse(Timestamps.format(windowStart)), Timestamps.parse(Timestamps.format(windowEnd)));
                }
            }
        });
    }

    @Override
    public Optional<RuntimeBaseline> runtimeBaseline(AgentId agent) {
        return runtimeBaselineVersions(agent).stream().findFirst();
    }

    /** Every runtime baseline version of the agent, newest first. */
    public List<RuntimeBaseline> runtimeBaselineVersions(AgentId agent) {
        return database.read(c -> Rows.list(c, BASELINE_VERSIONS, RuntimeStore::baseline, agent.machine(), agent.name()));
    }

    /**
     * Every agent's time-to-healthy in ms at its newest healthy start, in one query: what {@code watch} shows on every
     * row of every cycle, where a query per agent was a fifth of a 1,000-agent cycle's CPU.
     */
    public Map<AgentId, Double> latestTimesToHealthy() {
        return database.read(c -> {
            Map<AgentId, Double> times = new java.util.HashMap<>();
            Rows.list(c, LATEST_HEALTHY_STARTS, row -> times.put(new AgentId(row.getString(1), row.getString(2)), row.getDouble(3)));
            return times;
        });
    }

    /** The newest runtime baseline of every agent that has one, by machine and name. */
    public List<RuntimeBaseline> latestRuntimeBaselines() {
        return database.read(c -> Rows.list(c, LATEST_BASELINES, RuntimeStore::baseline));
    }

    /** What the window held when it was captured (sample counts per kind). */
    public Map<String, Object> baselineSummary(long id) {
        return database.read(c -> Rows.list(c, "SELECT summary_json FROM runtime_baselines WHERE id = ?",
                row -> Json.readMap(row.getString(1)), id)).stream().findFirst().orElse(Map.of());
    }

    @Override
    public long recordDecision(AgentId agent, Instant at, GateDecision d) {
        return database.write(c -> insertReturningId(c, INSERT_DECISION, Timestamps.format(at), agent.machine(), agent.name(),
                d.gate(), d.verdict().name(), d.rule(), d.summary(), Json.write(d.evidence())));
    }

    /** The agent's newest decisions first. */
    public List<StoredDecision> decisions(AgentId agent, int limit) {
        return database.read(c -> Rows.list(c, DECISIONS_OF_AGENT, RuntimeStore::decision, agent.machine(), agent.name(), limit));
    }

    public Optional<StoredDecision> decision(long id) {
        return database.read(c -> Rows.list(c, DECISION, RuntimeStore::decision, id)).stream().findFirst();
    }

    private static StoredDecision decision(ResultSet row) throws SQLException {
        return new StoredDecision(row.getLong("id"), Timestamps.parse(row.getString("at")),
                new AgentId(row.getString("machine"), row.getString("agent")),
                new GateDecision(row.getString("gate"), GateDecision.Verdict.valueOf(row.getString("verdict")), row.getString("rule"),
                        row.getString("summary"), Json.readMap(row.getString("evidence_json"))));
    }

    private static RuntimeBaseline baseline(ResultSet row) throws SQLException {
        return new RuntimeBaseline(row.getLong("id"), new AgentId(row.getString("machine"), row.getString("agent")),
                row.getInt("version"), Timestamps.parse(row.getString("captured_at")),
                Timestamps.parse(row.getString("window_start")), Timestamps.parse(row.getString("window_end")));
    }

    private static long insertReturningId(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                insert.setObject(i + 1, values[i]);
            }
            try (ResultSet key = insert.executeQuery()) {
                key.next();
                return key.getLong(1);
            }
        }
    }

    private static Integer integer(ResultSet row, String column) throws SQLException {
        Object value = row.getObject(column);
        return value == null ? null : ((Number) value).intValue();
    }

    private static Long longValue(ResultSet row, String column) throws SQLException {
        Object value = row.getObject(column);
        return value == null ? null : ((Number) value).longValue();
    }
}
