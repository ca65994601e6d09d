package io.fleetshell.history;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.rollout.BatchState;
import io.fleetshell.engine.rollout.Decision;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.FleetLock;
import io.fleetshell.engine.rollout.LockHolder;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.PlanStep;
import io.fleetshell.engine.rollout.StepFile;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rollouts in SQLite: deployments, batches, steps, content-addressed blobs, backups, the intent/outcome
 * journal, decisions and the fleet lock (schema V4; each step's proof hints since V9; the files of a multi-file step and a
 * module step's module and dependents since V15). Every method is one IMMEDIATE transaction, so a
 * journal entry and the step state it sets are durable together before the caller acts on them.
 */
public final class DeploymentStore implements DeploymentJournal {

    private static final String STEP_COLUMNS = """
            SELECT id, deployment_id, batch, position, machine, agent, file, pattern, before_sha256, after_sha256,
                   predicted_gain_ms, notes_json, deferred_names_json, removed_names_json, state, detail, updated_at, real_path,
                   module, dependents_json
            FROM deployment_steps
            """;

    private static final String DEPLOYMENT_COLUMNS = """
            SELECT id, created_at, finished_at, pattern, options_json, state, control, summary, pid, host FROM deployments
            """;

    private final HistoryDatabase database;

    public DeploymentStore(HistoryDatabase database) {
        this.database = database;
    }

    @Override
    public long create(Plan plan, Map<String, Object> options, LockHolder holder) {
        return database.write(c -> {
            checkLock(c, holder);
            long id;
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO deployments (created_at, pattern, options_json, state, pid, host)
                    VALUES (?, ?, ?, 'running', ?, ?) RETURNING id""")) {
                insert.setString(1, Timestamps.now());
                insert.setString(2, plan.pattern());
                insert.setString(3, Json.write(options));
                insert.setLong(4, holder.pid());
                insert.setString(5, holder.host());
                try (ResultSet key = insert.executeQuery()) {
                    key.next();
                    id = key.getLong(1);
                }
            }
            try (PreparedStatement batch = c.prepareStatement(
                    "INSERT INTO deployment_batches (deployment_id, number, state) VALUES (?, ?, 'pending')")) {
                for (int b = 1; b <= plan.batchCount(); b++) {
                    batch.setLong(1, id);
                    batch.setInt(2, b);
                    batch.addBatch();
                }
                batch.executeBatch();
            }
            String now = Timestamps.now();
            try (PreparedStatement step = c.prepareStatement("""
                    INSERT INTO deployment_steps (deployment_id, batch, position, machine, agent, file, pattern, before_sha256,
                        after_sha256, predicted_gain_ms, notes_json, deferred_names_json, removed_names_json, state, updated_at,
                        real_path, module, dependents_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING id""");
                 PreparedStatement file = c.prepareStatement("""
                    INSERT INTO step_files (step_id, ordinal, file, real_path, before_sha256, after_sha256)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                for (PlanStep s : plan.steps()) {
                    String before = insertBlob(c, s.rewrite().before());
                    String after = insertBlob(c, s.rewrite().after());
                    step.setLong(1, id);
                    step.setInt(2, s.batch());
                    step.setInt(3, s.position());
                    step.setString(4, s.agent().machine());
                    step.setString(5, s.agent().name());
                    step.setString(6, s.file().toString());
                    step.setString(7, s.pattern());
                    step.setString(8, before);
                    step.setString(9, after);
                    step.setObject(10, s.predictedGainMs());
                    step.setString(11, Json.write(s.rewrite().notes()));
                    step.setString(12, Json.write(s.hints().deferredNames()));
                    step.setString(13, Json.write(s.hints().removedNames()));
                    step.setString(14, now);
                    step.setString(15, s.realPath().toString());
                    step.setString(16, s.module());
                    step.setString(17, Json.write(s.dependents().stream().map(AgentId::toString).toList()));
                    long stepId;
                    try (ResultSet key = step.executeQuery()) {
                        key.next();
                        stepId = key.getLong(1);
                    }
                    if (s.change() != null) {
                        List<Rewrite> written = s.rewrites();
                        for (int i = 0; i < written.size(); i++) {
                            Rewrite r = written.get(i);
                            file.setLong(1, stepId);
                            file.setInt(2, i + 1);
                            file.setString(3, r.file().toString());
                            file.setString(4, s.realPaths().get(i).toString());
                            file.setString(5, r.createsFile() ? null : insertBlob(c, r.before()));
                            file.setString(6, insertBlob(c, r.after()));
                            file.addBatch();
                        }
                        file.executeBatch();
                    }
                }
            }
            journal(c, id, null, null, NOTE, "planned", plan.steps().size() + " steps in " + plan.batchCount() + " batches");
            insertLock(c, new LockHolder(id, holder.purpose(), holder.pid(), holder.processStart(), holder.host(), holder.acquiredAt()));
            return id;
        });
    }

    @Override
    public void lock(LockHolder holder) {
        database.write(c -> {
            checkLock(c, holder);
            insertLock(c, holder);
            return null;
        });
    }

    @Override
    public void unlock() {
        long pid = ProcessHandle.current().pid();
        database.write(c -> update(c, "DELETE FROM fleet_lock WHERE pid = ?", pid));
    }

    @Override
    public void breakLock() {
        database.write(c -> update(c, "DELETE FROM fleet_lock"));
    }

    @Override
    public Optional<LockHolder> lockHolder() {
        return database.read(DeploymentStore::holder);
    }

    @Override
    public Optional<Deployment> deployment(long id) {
        return database.read(c -> Rows.list(c, DEPLOYMENT_COLUMNS + " WHERE id = ?", DeploymentStore::deployment, id)
                .stream().findFirst());
    }

    @Override
    public List<Deployment> deployments(int limit) {
        return database.read(c -> Rows.list(c, DEPLOYMENT_COLUMNS + " ORDER BY id DESC LIMIT ?", DeploymentStore::deployment, limit));
    }

    @Override
    public List<StoredStep> steps(long deploymentId) {
        return database.read(c -> withFiles(c, Rows.list(c, STEP_COLUMNS + " WHERE deployment_id = ? ORDER BY batch, position",
                DeploymentStore::step, deploymentId)));
    }

    @Override
    public List<Long> unsettled() {
        return database.read(c -> Rows.list(c, """
                SELECT id FROM deployments WHERE state = 'running'
                   OR id IN (SELECT deployment_id FROM deployment_steps WHERE state IN ('writing', 'written', 'restoring'))
                ORDER BY id""", r -> r.getLong(1)));
    }

    @Override
    public List<StoredStep> stepsOf(AgentId agent) {
        return database.read(c -> withFiles(c, Rows.list(c, STEP_COLUMNS
                + " WHERE agent = ? AND (? IS NULL OR machine = ?) AND module IS NULL ORDER BY id DESC",
                DeploymentStore::step, agent.name(), agent.machine(), agent.machine())));
    }

    @Override
    public List<StoredStep> stepsOfModule(String module) {
        return database.read(c -> withFiles(c, Rows.list(c, STEP_COLUMNS + " WHERE module = ? ORDER BY id DESC", DeploymentStore::step, module)));
    }

    @Override
    public List<StoredStep> changedStepsUsing(Path file) {
        return database.read(c -> withFiles(c, Rows.list(c, STEP_COLUMNS + """
                 WHERE state IN ('applied', 'held') AND id IN (
                    SELECT step_id FROM step_files WHERE file = ? AND before_sha256 IS NOT NULL)
                ORDER BY id DESC""", DeploymentStore::step, file.toString())));
    }

    /** The shared modules with a step whose change can still be rolled back, newest first (what {@code rollback} completes). */
    public List<String> changedModules() {
        return database.read(c -> Rows.list(c, """
                SELECT module FROM deployment_steps WHERE module IS NOT NULL AND state IN ('applied', 'held')
                GROUP BY module ORDER BY max(id) DESC""", r -> r.getString(1)));
    }

    /** The steps with the files of each multi-file one (one query for all of them). */
    private static List<StoredStep> withFiles(Connection c, List<StoredStep> steps) throws SQLException {
        if (steps.isEmpty()) {
            return steps;
        }
        Map<Long, List<StepFile>> files = new HashMap<>();
        try (PreparedStatement query = c.prepareStatement("""
                SELECT step_id, file, real_path, before_sha256, after_sha256 FROM step_files
                WHERE step_id IN (SELECT value FROM json_each(?)) ORDER BY step_id, ordinal""")) {
            query.setString(1, Json.write(steps.stream().map(StoredStep::id).toList()));
            try (ResultSet r = query.executeQuery()) {
                while (r.next()) {
                    files.computeIfAbsent(r.getLong(1), k -> new java.util.ArrayList<>()).add(new StepFile(Path.of(r.getString(2)),
                            Path.of(r.getString(3)), r.getString(4), r.getString(5)));
                }
            }
        }
        if (files.isEmpty()) {
            return steps;
        }
        return steps.stream().map(s -> files.containsKey(s.id()) ? new StoredStep(s.id(), s.deploymentId(), s.batch(), s.position(),
                s.agent(), s.file(), s.pattern(), s.beforeSha256(), s.afterSha256(), s.predictedGainMs(), s.notes(), s.hints(), s.state(),
                s.detail(), s.updatedAt(), s.realPath(), s.module(), s.dependents(), files.get(s.id())) : s).toList();
    }

    @Override
    public Map<String, byte[]> blobs(Collection<String> sha256s) {
        return database.read(c -> {
            Map<String, byte[]> found = new HashMap<>();
            try (PreparedStatement query = c.prepareStatement("SELECT content FROM blobs WHERE sha256 = ?")) {
                for (String sha : sha256s) {
                    query.setString(1, sha);
                    try (ResultSet row = query.executeQuery()) {
                        if (row.next()) {
                            found.put(sha, row.getBytes(1));
                        }
                    }
                }
            }
            return found;
        });
    }

    @Override
    public String storeBlob(byte[] content) {
        return database.write(c -> insertBlob(c, content));
    }

    @Override
    public void beginWrite(StoredStep step, List<FileMeta> originals) {
        List<StepFile> files = step.files();
        if (originals.size() != files.size()) {
            throw new IllegalArgumentException("one backup per file of step " + step.label() + ": " + files.size() + " files, "
                    + originals.size() + " backups");
        }
        database.write(c -> {
            for (int i = 0; i < files.size(); i++) {
                StepFile file = files.get(i);
                if (file.creates()) {
                    insertBackup(c, step, file.file(), insertBlob(c, new byte[0]), new FileMeta(null, null, null, null, file.realPath()),
                            "deploy", true);
                } else {
                    insertBackup(c, step, file.file(), file.beforeSha256(), originals.get(i), "deploy", false);
                }
            }
            setState(c, step.id(), StepState.WRITING, files.size() == 1 ? "backed up; writing the rewrite"
                    : "backed up " + files.size() + " files; writing them");
            journal(c, step.deploymentId(), step.batch(), step.id(), INTENT, "write", String.join("; ", files.stream().map(f ->
                    (files.size() == 1 ? "" : f.file() + ": ") + (f.creates() ? "absent (created by the step)" : "back up " + f.shortBefore())
                            + ", write " + f.afterSha256().substring(0, 12)).toList()));
            return null;
        });
    }

    @Override
    public void backupEdited(StoredStep step, Path file, byte[] content, FileMeta meta) {
        database.write(c -> {
            String sha = insertBlob(c, content);
            insertBackup(c, step, file, sha, meta, "forced rollback", false);
            journal(c, step.deploymentId(), step.batch(), step.id(), NOTE, "edited version backed up",
                    (step.multiFile() ? file + ": " : "") + "sha256 " + sha);
            return null;
        });
    }

    @Override
    public void record(List<StoredStep> steps, String phase, String action, StepState newState, String detail) {
        database.write(c -> {
            try (PreparedStatement entry = c.prepareStatement(INSERT_JOURNAL);
                 PreparedStatement state = c.prepareStatement(UPDATE_STATE)) {
                String now = Timestamps.now();
                for (StoredStep step : steps) {
                    bindJournal(entry, step.deploymentId(), step.batch(), step.id(), now, phase, action, detail);
                    entry.addBatch();
                    if (newState != null) {
                        state.setString(1, newState.text());
                        state.setString(2, detail);
                        state.setString(3, now);
                        state.setLong(4, step.id());
                        state.addBatch();
                    }
                }
                entry.executeBatch();
                if (newState != null) {
                    state.executeBatch();
                }
            }
            return null;
        });
    }

    @Override
    public void note(long deploymentId, Integer batch, String action, String detail) {
        database.write(c -> {
            journal(c, deploymentId, batch, null, NOTE, action, detail);
            return null;
        });
    }

    @Override
    public void decision(long deploymentId, Integer batch, Long stepId, Decision d) {
        database.write(c -> update(c, """
                INSERT INTO rollout_decisions (deployment_id, batch, step_id, at, kind, name, verdict, rule, summary, evidence_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", deploymentId, batch, stepId, Timestamps.format(d.at()), d.kind(), d.name(),
                d.verdict().name(), d.rule(), d.summary(), Json.write(d.evidence())));
    }

    @Override
    public List<Recorded> decisions(long deploymentId) {
        return database.read(c -> Rows.list(c, """
                SELECT batch, step_id, at, kind, name, verdict, rule, summary, evidence_json
                FROM rollout_decisions WHERE deployment_id = ? ORDER BY id""", r -> new Recorded(
                (Integer) r.getObject("batch"), r.getObject("step_id") == null ? null : r.getLong("step_id"),
                new Decision(r.getString("kind"), r.getString("name"), Decision.Verdict.valueOf(r.getString("verdict")), r.getString("rule"),
                        r.getString("summary"), Json.readMap(r.getString("evidence_json")), Timestamps.parse(r.getString("at")))),
                deploymentId));
    }

    @Override
    public List<Entry> journal(long deploymentId) {
        return database.read(c -> Rows.list(c, """
                SELECT id, batch, step_id, at, phase, action, detail FROM rollout_journal WHERE deployment_id = ? ORDER BY id""",
                r -> new Entry(r.getLong("id"), (Integer) r.getObject("batch"),
                        r.getObject("step_id") == null ? null : r.getLong("step_id"), Timestamps.parse(r.getString("at")),
                        r.getString("phase"), r.getString("action"), r.getString("detail")), deploymentId));
    }

    @Override
    public List<Backup> backups(long deploymentId) {
        return database.read(c -> Rows.list(c, """
                SELECT b.step_id, b.sha256, b.path, b.mode, b.mtime, b.reason, b.taken_at, b.real_path, b.owner, b.grp, b.absent
                FROM backups b JOIN deployment_steps s ON s.id = b.step_id
                WHERE s.deployment_id = ? ORDER BY b.id""", r -> new Backup(r.getLong(1), r.getString(2), r.getString(3),
                (Integer) r.getObject(4), r.getString(5) == null ? null : Instant.parse(r.getString(5)), r.getString(6),
                Timestamps.parse(r.getString(7)), r.getString(8), r.getString(9), r.getString(10), r.getInt(11) == 1), deploymentId));
    }

    @Override
    public void batchState(long deploymentId, int batch, BatchState state) {
        database.write(c -> {
            String now = Timestamps.now();
            update(c, """
                    UPDATE deployment_batches SET state = ?1,
                        started_at = CASE WHEN ?1 = 'running' THEN ?2 ELSE started_at END,
                        finished_at = CASE WHEN ?1 IN ('passed', 'failed', 'held', 'rolled_back') THEN ?2 ELSE finished_at END
                    WHERE deployment_id = ?3 AND number = ?4""", state.text(), now, deploymentId, batch);
            journal(c, deploymentId, batch, null, NOTE, "batch " + state.text(), null);
            return null;
        });
    }

    @Override
    public void cut(long deploymentId, int batch, int size) {
        database.write(c -> {
            update(c, "INSERT INTO deployment_batches (deployment_id, number, state) VALUES (?, ?, 'pending')", deploymentId, batch + 1);
            int moved;
            try (PreparedStatement move = c.prepareStatement("""
                    UPDATE deployment_steps SET batch = batch + 1, position = position - ?1
                    WHERE deployment_id = ?2 AND batch = ?3 AND position > ?1 AND state = 'pending'""")) {
                move.setInt(1, size);
                move.setLong(2, deploymentId);
                move.setInt(3, batch);
                moved = move.executeUpdate();
            }
            journal(c, deploymentId, batch, null, NOTE, "batch cut", "%d step%s; %d left for batch %d".formatted(size,
                    size == 1 ? "" : "s", moved, batch + 1));
            return null;
        });
    }

    @Override
    public Map<Integer, BatchState> batchStates(long deploymentId) {
        return database.read(c -> {
            Map<Integer, BatchState> states = new LinkedHashMap<>();
            Rows.list(c, "SELECT number, state FROM deployment_batches WHERE deployment_id = ? ORDER BY number",
                    r -> states.put(r.getInt(1), BatchState.parse(r.getString(2))), deploymentId);
            return states;
        });
    }

    @Override
    public void finish(long deploymentId, DeploymentState state, String summary) {
        database.write(c -> {
            update(c, "UPDATE deployments SET state = ?, summary = ?, finished_at = ?, control = NULL WHERE id = ?", state.text(), summary,
                    Timestamps.now(), deploymentId);
            journal(c, deploymentId, null, null, NOTE, "finished: " + state.text(), summary);
            update(c, "DELETE FROM fleet_lock WHERE pid = ?", ProcessHandle.current().pid());
            return null;
        });
    }

    @Override
    public void reopen(long deploymentId, LockHolder holder) {
        database.write(c -> {
            checkLock(c, holder);
            insertLock(c, holder);
            update(c, "UPDATE deployments SET state = 'running', finished_at = NULL, pid = ?, host = ? WHERE id = ?", holder.pid(),
                    holder.host(), deploymentId);
            journal(c, deploymentId, null, null, NOTE, "resumed", "by pid " + holder.pid() + " on " + holder.host());
            return null;
        });
    }

    @Override
    public void control(long deploymentId, String control) {
        database.write(c -> {
            update(c, "UPDATE deployments SET control = ? WHERE id = ?", control, deploymentId);
            journal(c, deploymentId, null, null, NOTE, control == null ? "resume requested" : control + " requested", null);
            return null;
        });
    }

    @Override
    public String control(long deploymentId) {
        return database.read(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT control FROM deployments WHERE id = ?")) {
                query.setLong(1, deploymentId);
                try (ResultSet row = query.executeQuery()) {
                    return row.next() ? row.getString(1) : null;
                }
            }
        });
    }

    /** Every agent with a step whose change can still be rolled back, with the step. Newest first. */
    public List<StoredStep> changedSteps() {
        return database.read(c -> withFiles(c, Rows.list(c, STEP_COLUMNS + " WHERE state IN ('applied', 'held') ORDER BY id DESC",
                DeploymentStore::step)));
    }

    /** Runs {@code PRAGMA integrity_check} and returns its answer ({@code ok} when the file is sound). */
    public String integrityCheck() {
        return database.read(c -> String.join("; ", Rows.list(c, "PRAGMA integrity_check", r -> r.getString(1))));
    }

    private static final String INSERT_JOURNAL = """
            INSERT INTO rollout_journal (deployment_id, batch, step_id, at, phase, action, detail) VALUES (?, ?, ?, ?, ?, ?, ?)""";

    private static final String UPDATE_STATE = "UPDATE deployment_steps SET state = ?, detail = ?, updated_at = ? WHERE id = ?";

    private static void journal(Connection c, long deploymentId, Integer batch, Long stepId, String phase, String action, String detail)
            throws SQLException {
        try (PreparedStatement entry = c.prepareStatement(INSERT_JOURNAL)) {
            bindJournal(entry, deploymentId, batch, stepId, Timestamps.now(), phase, action, detail);
            entry.executeUpdate();
        }
    }

    private static void bindJournal(PreparedStatement entry, long deploymentId, Integer batch, Long stepId, String at, String phase,
                                    String action, String detail) throws SQLException {
        entry.setLong(1, deploymentId);
        entry.setObject(2, batch);
        entry.setObject(3, stepId);
        entry.setString(4, at);
        entry.setString(5, phase);
        entry.setString(6, action);
        entry.setString(7, detail);
    }

    private static void setState(Connection c, long stepId, StepState state, String detail) throws SQLException {
        update(c, UPDATE_STATE, state.text(), detail, Timestamps.now(), stepId);
    }

    private static void insertBackup(Connection c, StoredStep step, Path file, String sha, FileMeta meta, String reason, boolean absent)
            throws SQLException {
        update(c, """
                INSERT INTO backups (step_id, sha256, path, mode, mtime, reason, taken_at, real_path, owner, grp, absent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                step.id(), sha, file.toString(), meta.mode(), meta.mtime() == null ? null : meta.mtime().toString(), reason,
                Timestamps.now(), meta.realPath() == null ? null : meta.realPath().toString(), meta.owner(), meta.group(), absent ? 1 : 0);
    }

    private static String insertBlob(Connection c, byte[] content) throws SQLException {
        String sha = Checksums.sha256(content);
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO blobs (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING")) {
            insert.setString(1, sha);
            insert.setInt(2, content.length);
            insert.setBytes(3, content);
            insert.executeUpdate();
        }
        return sha;
    }

    private static void checkLock(Connection c, LockHolder wanted) throws SQLException {
        Optional<LockHolder> holder = holder(c);
        if (holder.isPresent() && !holder.get().isSelf()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, FleetLock.explained(holder.get(), wanted.host())
                    + " Nothing was changed.");
        }
        update(c, "DELETE FROM fleet_lock");
    }

    private static void insertLock(Connection c, LockHolder h) throws SQLException {
        update(c, """
                INSERT INTO fleet_lock (id, deployment_id, purpose, pid, process_start, host, acquired_at)
                VALUES (1, ?, ?, ?, ?, ?, ?)""", h.deploymentId(), h.purpose(), h.pid(), h.processStart(), h.host(),
                Timestamps.format(h.acquiredAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    private static Optional<LockHolder> holder(Connection c) throws SQLException {
        return Rows.list(c, "SELECT deployment_id, purpose, pid, process_start, host, acquired_at FROM fleet_lock WHERE id = 1",
                r -> new LockHolder(r.getObject(1) == null ? null : r.getLong(1), r.getString(2), r.getLong(3), r.getString(4),
                        r.getString(5), Timestamps.parse(r.getString(6)))).stream().findFirst();
    }

    private static Void update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        }
        return null;
    }

    private static Deployment deployment(ResultSet r) throws SQLException {
        return new Deployment(r.getLong("id"), Timestamps.parse(r.getString("created_at")),
                r.getString("finished_at") == null ? null : Timestamps.parse(r.getString("finished_at")), r.getString("pattern"),
                Json.readMap(r.getString("options_json")), DeploymentState.parse(r.getString("state")), r.getString("control"), r.getString("summary"),
                r.getLong("pid"), r.getString("host"));
    }

    private static StoredStep step(ResultSet r) throws SQLException {
        return new StoredStep(r.getLong("id"), r.getLong("deployment_id"), r.getInt("batch"), r.getInt("position"),
                new AgentId(r.getString("machine"), r.getString("agent")), Path.of(r.getString("file")), r.getString("pattern"),
                r.getString("before_sha256"), r.getString("after_sha256"),
                r.getObject("predicted_gain_ms") == null ? null : r.getDouble("predicted_gain_ms"),
                Json.readStringList(r.getString("notes_json")), new ProofHints(Json.readStringList(r.getString("deferred_names_json")),
                Json.readStringList(r.getString("removed_names_json"))), StepState.parse(r.getString("state")), r.getString("detail"),
                Timestamps.parse(r.getString("updated_at")), r.getString("real_path") == null ? null : Path.of(r.getString("real_path")),
                r.getString("module"), Json.readStringList(r.getString("dependents_json")).stream().map(AgentId::parse).toList(), List.of());
    }
}
