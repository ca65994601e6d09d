package io.fleetshell.engine.playbook;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.NameSuggestions;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.score.AgentScore;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host side of the {@code fleet} object. The script never sees this class: the prelude
 * ({@code fleet-api.js}) holds it in a closure and passes every call's arguments as JSON, so the only
 * way in is {@link #call} with plain data (and policy functions), checked here before anything runs.
 * Results go back as JSON; errors go back as messages that the prelude throws as JavaScript errors at
 * the script's line.
 */
public final class FleetApi {

    /** Every function of the {@code fleet} object, in the order the API reference documents them. */
    public static final List<String> FUNCTIONS = List.of("inventory", "score", "profile", "plan", "deploy", "gate", "health",
            "metrics", "rollback", "sleep", "log", "warn", "stop");

    /** The {@code fleet} object's data members. */
    public static final List<String> PROPERTIES = List.of("params", "dryRun", "playbook");

    /** Log lines kept per run: a script printing in a loop must not fill the history database. */
    static final int MAX_LOG_LINES = 10_000;
    static final int MAX_LINE_CHARS = 4_000;
    /** Characters of output one run keeps in all (its journal goes into history.db): about 1 MB. */
    static final int MAX_LOG_CHARS = 1_000_000;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> FILTER_KEYS = List.of("machine", "group", "band", "name", "infrastructure");
    private static final List<String> BANDS = Arrays.stream(AgentScore.Band.values()).map(ApiValues::band).toList();

    private final FleetPort port;
    private final RunControl control;
    private final PlaybookListener listener;
    private final RunMode mode;
    private final String playbookName;
    private final RolloutCalls rollout;
    private int logLines;
    private long logChars;
    private String haltReason;
    private int haltLine;
    private String stopRequest;
    private int stopLine;
    private FleetshellException lastError;

    FleetApi(FleetPort port, RunControl control, PlaybookListener listener, RunMode mode, String playbookName) {
        this.port = port;
        this.control = control;
        this.listener = listener;
        this.mode = mode;
        this.playbookName = playbookName;
        this.rollout = new RolloutCalls(port, control, this, mode);
    }

    /**
     * Runs {@code fleet.<function>(...)}: {@code argsJson} is the JSON array of its arguments, {@code functions}
     * the policy functions found in its option objects, {@code line} the script line that called it. Returns
     * {@code {"ok": result}} or {@code {"error": message}}.
     */
    @HostAccess.Export
    public String call(String function, String argsJson, Value functions, int line) {
        try {
            if (stopRequest != null) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                        "fleet.%s: the playbook was stopped on line %d (%s); nothing more runs".formatted(function, stopLine, stopRequest));
            }
            List<Object> args = decode(function, argsJson);
            Object result = dispatch(new ApiArgs(function, args), functions, line);
            Map<String, Object> envelope = new HashMap<>();
            envelope.put("ok", result);
            return JSON.writeValueAsString(envelope);
        } catch (FleetshellException e) {
            lastError = e;
            return JSON.writeValueAsString(Map.of("error", e.getMessage()));
        }
    }

    /** {@code fleet.log}, {@code fleet.warn}, {@code console.log}: one line of output for the shell and the journal. */
    @HostAccess.Export
    public void print(boolean warning, String text, int line) {
        if (++logLines > MAX_LOG_LINES) {
            if (logLines == MAX_LOG_LINES + 1) {
                journal(JournalEntry.Kind.WARN, line, "more than %d lines of output: the rest is not shown or kept".formatted(MAX_LOG_LINES), null);
            }
            return;
        }
        String shown = text.length() > MAX_LINE_CHARS ? text.substring(0, MAX_LINE_CHARS) + "... (%d more characters)"
                .formatted(text.length() - MAX_LINE_CHARS) : text;
        if (logChars + shown.length() > MAX_LOG_CHARS) {
            if (logChars <= MAX_LOG_CHARS) {
                logChars = MAX_LOG_CHARS + 1;
                journal(JournalEntry.Kind.WARN, line, "more than %d characters of output: the rest is not shown or kept"
                        .formatted(MAX_LOG_CHARS), null);
            }
            return;
        }
        logChars += shown.length();
        journal(warning ? JournalEntry.Kind.WARN : JournalEntry.Kind.LOG, line, shown, null);
    }

    /** The error the last failed call returned, which the runner maps to an exit status. */
    FleetshellException lastError() {
        return lastError;
    }

    /** The reason given to {@code fleet.stop}, or null. */
    String stopRequest() {
        return stopRequest;
    }

    int stopLine() {
        return stopLine;
    }

    private Object dispatch(ApiArgs args, Value functions, int line) {
        return switch (args.function()) {
            case "inventory" -> inventory(args, line);
            case "score" -> score(args, line);
            case "profile" -> profile(args, line);
            case "sleep" -> sleep(args, line);
            case "stop" -> stop(args, line);
            case "health" -> rollout.health(args, line);
            case "metrics" -> rollout.metrics(args, line);
            case "gate" -> rollout.gate(args, line);
            case "plan" -> rollout.plan(args, line);
            case "deploy" -> rollout.deploy(args, functions, line);
            case "rollback" -> rollout.rollback(args, line);
            default -> throw args.bad("is not part of the API; the functions are " + String.join(", ", FUNCTIONS));
        };
    }

    private List<Map<String, Object>> inventory(ApiArgs args, int line) {
        args.atMost(1, "inventory({machine, group, band, name, infrastructure})");
        Map<String, Object> filter = args.options(0, "the filter", FILTER_KEYS);
        Inventory inventory = port.inventory();
        List<Agent> agents = new ArrayList<>(inventory.agents());
        String machine = args.optionalString(filter, "machine");
        if (machine != null) {
            List<String> machines = inventory.machines().stream().map(Machine::name).toList();
            if (!machines.contains(machine)) {
                throw args.bad("no machine '%s'; the machines are %s".formatted(machine, machines.isEmpty() ? "none (the inventory is empty)" : String.join(", ", machines)));
            }
            agents.removeIf(a -> !a.machine().equals(machine));
        }
        String group = args.optionalString(filter, "group");
        if (group != null) {
            List<String> groups = inventory.agents().stream().map(Agent::group).distinct().toList();
            if (!groups.contains(group)) {
                List<String> close = NameSuggestions.closest(group, groups, 2);
                throw args.bad("no group '%s'; %s".formatted(group, close.isEmpty() ? "the groups are " + String.join(", ", groups)
                        : "did you mean " + String.join(" or ", close) + "?"));
            }
            agents.removeIf(a -> !a.group().equals(group));
        }
        String name = args.optionalString(filter, "name");
        if (name != null) {
            agents.removeIf(a -> !a.name().equals(name) && !a.id().toString().equals(name));
        }
        Object infrastructure = filter.get("infrastructure");
        if (infrastructure != null) {
            if (!(infrastructure instanceof Boolean wanted)) {
                throw args.bad("infrastructure must be true or false, not " + ApiArgs.describe(infrastructure));
            }
            agents.removeIf(a -> a.infrastructure() != wanted);
        }
        String band = args.optionalString(filter, "band");
        Map<String, AgentScore> scores = new HashMap<>();
        if (band != null) {
            if (!BANDS.contains(band)) {
                throw args.bad("no band '%s'; the bands are %s".formatted(band, String.join(", ", BANDS)));
            }
            List<AgentScore> scored = control.action(() -> port.score(agents));
            for (int i = 0; i < agents.size(); i++) {
                scores.put(agents.get(i).id().toString(), scored.get(i));
            }
            agents.removeIf(a -> !ApiValues.band(scores.get(a.id().toString()).band()).equals(band)
                    || scores.get(a.id().toString()).status() == AgentScore.Status.NOT_OPTIMIZABLE);
        }
        List<Map<String, Object>> result = agents.stream().map(a -> {
            Map<String, Object> m = ApiValues.agent(a);
            if (scores.containsKey(a.id().toString())) {
                m.put("score", scores.get(a.id().toString()).score());
            }
            return m;
        }).toList();
        journal(JournalEntry.Kind.READ, line, "inventory %s: %d agent%s".formatted(filter.isEmpty() ? "(all)" : filter, result.size(),
                result.size() == 1 ? "" : "s"), ApiValues.object("filter", filter, "agents", agents.stream().map(a -> a.id().toString()).toList()));
        return result;
    }

    private List<Map<String, Object>> score(ApiArgs args, int line) {
        args.atMost(1, "score([agents])");
        Inventory inventory = port.inventory();
        List<Agent> agents = args.has(0) ? args.agents(0, "the agents", inventory) : inventory.agents();
        List<AgentScore> scores = control.action(() -> port.score(agents));
        List<Map<String, Object>> result = scores.stream().map(ApiValues::score).toList();
        journal(JournalEntry.Kind.READ, line, "score %d agent%s".formatted(scores.size(), scores.size() == 1 ? "" : "s"),
                ApiValues.object("scores", result.stream().map(s -> ApiValues.object("agent", s.get("agent"), "score", s.get("score"),
                        "band", s.get("band"))).toList()));
        return result;
    }

    private List<Map<String, Object>> profile(ApiArgs args, int line) {
        args.atMost(2, "profile(agents, {runs})");
        Inventory inventory = port.inventory();
        List<Agent> agents = args.agents(0, "the agents", inventory);
        Map<String, Object> options = args.options(1, "the options", List.of("runs"));
        int runs = args.integer(options, "runs", 5, 1, 100);
        List<Agent> missing = agents.stream().filter(a -> !a.script().found()).toList();
        if (!missing.isEmpty()) {
            throw args.bad("cannot profile %s: script not found (%s)".formatted(missing.getFirst().id(), missing.getFirst().script().detail()));
        }
        List<FleetPort.Profiled> profiled = control.action(() -> port.profile(agents, runs));
        List<Map<String, Object>> result = profiled.stream().map(ApiValues::profile).toList();
        journal(JournalEntry.Kind.ACTION, line, "profile %d agent%s, %d run%s each: stored as new baselines".formatted(agents.size(),
                agents.size() == 1 ? "" : "s", runs, runs == 1 ? "" : "s"), ApiValues.object("results", result));
        return result;
    }

    private Object sleep(ApiArgs args, int line) {
        args.atMost(1, "sleep('30s')");
        Duration duration = args.duration(0, "the duration");
        if (mode == RunMode.SIMULATE) {
            journal(JournalEntry.Kind.READ, line, "simulation: would sleep " + DurationText.format(duration), null);
            return null;
        }
        journal(JournalEntry.Kind.READ, line, "sleep " + DurationText.format(duration), null);
        if (!control.sleep(duration)) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "fleet.sleep: woken to stop: "
                    + (control.stopReason() == null ? "interrupted" : control.stopReason().message()));
        }
        return null;
    }

    private Object stop(ApiArgs args, int line) {
        args.atMost(1, "stop('why')");
        String reason = args.string(0, "the reason");
        stopRequest = reason;
        stopLine = line;
        journal(JournalEntry.Kind.DECISION, line, "stop: " + reason, null);
        throw new FleetshellException(ErrorCode.OPERATION_FAILED, "stopped by the playbook: " + reason);
    }

    private static List<Object> decode(String function, String argsJson) {
        try {
            Object decoded = ApiValues.restoreNumbers(JSON.readValue(argsJson, Object.class));
            if (decoded instanceof List<?> list) {
                return new ArrayList<>(list);
            }
        } catch (JacksonException e) {
            // the prelude always sends an array; anything else is a tampered call
        }
        throw new FleetshellException(ErrorCode.PLAYBOOK_INVALID, "fleet.%s: arguments must be plain data".formatted(function));
    }

    /**
     * Marks the run as stopped by a gate or a policy (exit 1) without ending the script: a playbook may go on
     * to report, or to roll back, after a rollout stopped.
     */
    void halt(String reason, int line) {
        if (haltReason == null) {
            haltReason = reason;
            haltLine = line;
        }
    }

    /** Why a rollout of this run stopped, or null. */
    String haltReason() {
        return haltReason;
    }

    int haltLine() {
        return haltLine;
    }

    String playbookName() {
        return playbookName;
    }

    void journal(JournalEntry.Kind kind, int line, String text, Map<String, Object> data) {
        listener.entry(new JournalEntry(Instant.now(), kind, line, text, data == null ? null : new LinkedHashMap<>(data)));
    }

}
