package io.fleetshell.shell.commands;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.playbook.DurationText;
import io.fleetshell.engine.playbook.FleetPort;
import io.fleetshell.engine.playbook.JournalEntry;
import io.fleetshell.engine.playbook.Playbook;
import io.fleetshell.engine.playbook.PlaybookCheck;
import io.fleetshell.engine.playbook.PlaybookLibrary;
import io.fleetshell.engine.playbook.PlaybookLimits;
import io.fleetshell.engine.playbook.PlaybookOutcome;
import io.fleetshell.engine.playbook.PlaybookParam;
import io.fleetshell.engine.playbook.PlaybookRunner;
import io.fleetshell.engine.playbook.RunMode;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.history.PlaybookRunStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Host;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code playbook run|simulate|check|list|runs|show}: JavaScript rollout policies run in a sandbox against the
 * fleet, interactively or from cron, each run journaled in the history database.
 */
@Component
public class PlaybookCommands {

    static final String GROUP = "Playbooks";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final ShellSession session;
    private final FleetPort fleet;

    public PlaybookCommands(ShellSession session, ShellFleetPort fleet) {
        this.session = session;
        this.fleet = fleet;
    }

    /** {@code scripts/} under the working directory, then {@code FLEETSHELL_HOME/playbooks}. */
    PlaybookLibrary library() {
        return new PlaybookLibrary(List.of(Path.of("scripts"), session.home().playbooks()));
    }

    @Journaled
    @Command(name = {"playbook", "run"}, group = GROUP,
            help = "playbook run FILE [--param NAME=VALUE ...] [--dry-run] [--timeout DURATION] [--json]",
            completionProvider = "playbookCompletion",
            description = "Run a JavaScript playbook against the fleet in a sandbox (no files, processes, Java classes or "
                    + "environment), through the same engines as the commands. Checks it first; stops it at its timeout, "
                    + "after 50M statements or beyond its memory budget, naming its line. Exit 0 all done, 1 stopped by a "
                    + "gate, a policy, fleet.stop or the timeout, 2 a bad playbook or parameters. Journaled in the history "
                    + "database (playbook show RUN). FILE is a path, or a name from playbook list.")
    public void run(@Argument(index = 0) String file,
                    @Option(longName = "param", description = "a parameter the playbook declares, NAME=VALUE; repeat for more") List<String> paramOption,
                    @Option(longName = "dry-run", description = "plan and journal deploys and rollbacks without executing them") boolean dryRun,
                    @Option(longName = "timeout", defaultValue = "10m", description = "wall-clock limit, e.g. 90s, 10m, 1h") String timeout,
                    @Option(longName = "json", description = "print a JSON summary on stdout (script output goes to stderr)") boolean json,
                    CommandContext context) {
        Playbook playbook = Playbook.read(library().resolve(required(file, "playbook run FILE")));
        Map<String, Object> params = playbook.bind(params(context));
        Duration limit = DurationText.parse(timeout).filter(d -> !d.isZero()).orElseThrow(() -> new FleetshellException(ErrorCode.BAD_INPUT,
                "--timeout takes a duration with a unit, such as 90s, 10m or 1h, not '%s'".formatted(timeout)));
        if (limit.compareTo(Duration.ofDays(7)) > 0) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--timeout %s is out of range: give more than 0, up to 7d".formatted(timeout));
        }
        execute(playbook, params, dryRun ? RunMode.DRY_RUN : RunMode.RUN, fleet, null, limit, json);
    }

    @Journaled
    @Command(name = {"playbook", "simulate"}, group = GROUP,
            help = "playbook simulate FILE --from-deployment ID [--param NAME=VALUE ...] [--json]",
            completionProvider = "playbookCompletion",
            description = "Run a playbook against what a past deployment recorded, every action simulated: deploy replays "
                    + "the agents' recorded outcomes in the batches the playbook's policies ask for, health and gates answer "
                    + "from the recorded decisions, metrics from the scrapes stored up to its end. Prints every decision the "
                    + "policies would have taken. Nothing is written to the fleet.")
    public void simulate(@Argument(index = 0) String file,
                         @Option(longName = "from-deployment", description = "the deployment to replay (deploy status lists them)") Long deployment,
                         @Option(longName = "param", description = "a parameter the playbook declares, NAME=VALUE; repeat for more") List<String> paramOption,
                         @Option(longName = "json", description = "print a JSON summary on stdout") boolean json,
                         CommandContext context) {
        Playbook playbook = Playbook.read(library().resolve(required(file, "playbook simulate FILE --from-deployment ID")));
        if (deployment == null) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name the deployment to replay: playbook simulate %s --from-deployment ID"
                    .formatted(file));
        }
        Map<String, Object> params = playbook.bind(params(context));
        SimulatedFleetPort simulated = new SimulatedFleetPort(fleet, new DeploymentStore(session.database()), deployment);
        PlaybookOutcome outcome = execute(playbook, params, RunMode.SIMULATE, simulated, deployment, PlaybookLimits.DEFAULT_TIMEOUT, json);
        if (!json) {
            session.output().info("simulated against deployment %d (%s, %s): %s".formatted(deployment, simulated.deployment().pattern(),
                    simulated.deployment().state().words(), outcome.message()));
        }
    }

    /**
     * Runs the playbook, journaled as a run of {@code mode}; prints the JSON summary when asked; fails with the
     * outcome's exit status (1 stopped, 2 bad playbook) so scripts and cron see it.
     */
    private PlaybookOutcome execute(Playbook playbook, Map<String, Object> params, RunMode mode, FleetPort port, Long deployment,
                                    Duration limit, boolean json) {
        Output out = session.output();
        PlaybookRunStore store = new PlaybookRunStore(session.database());
        long runId = store.start(playbook.file().toString(), playbook.sha256(), mode.label(), params, deployment, Instant.now(),
                ProcessHandle.current().pid(), Host.name());
        RunRecorder recorder = new RunRecorder(store, runId, out, json, playbook.name(), mode == RunMode.SIMULATE);
        out.info("playbook %s %d: %s%s, timeout %s".formatted(mode == RunMode.SIMULATE ? "simulation" : "run", runId, playbook.file(),
                switch (mode) {
                    case RUN -> "";
                    case DRY_RUN -> " (dry run: nothing is deployed or rolled back)";
                    case SIMULATE -> " against deployment " + deployment + " (every action simulated)";
                }, DurationText.format(limit)));
        PlaybookOutcome outcome;
        try {
            outcome = new PlaybookRunner(port, recorder).run(playbook, params, mode, PlaybookLimits.defaults().withTimeout(limit));
        } finally {
            recorder.flush();
        }
        store.finish(runId, Instant.now(), outcome.label(), outcome.exitStatus(), outcome.message());
        session.journal().summary("playbook %s %s %d: %s".formatted(playbook.name(), mode.label(), runId, outcome.label()));
        if (json) {
            out.json(new RunSummary(runId, playbook.file().toString(), playbook.sha256(), mode.label(), params, outcome.label(),
                    outcome.exitStatus(), outcome.message(), outcome.took().toMillis(), recorder.entries()));
        }
        if (outcome.exitStatus() != 0) {
            throw new FleetshellException(outcome.exitStatus() == 2 ? ErrorCode.PLAYBOOK_INVALID : ErrorCode.OPERATION_FAILED,
                    "%s (run %d; playbook show %d lists its journal)".formatted(outcome.message(), runId, runId));
        }
        out.info("playbook run %d %s (playbook show %d lists its journal)".formatted(runId, outcome.message(), runId));
        return outcome;
    }

    @Command(name = {"playbook", "check"}, group = GROUP, help = "playbook check FILE [--json]",
            completionProvider = "playbookCompletion",
            description = "Check a playbook without running it: its syntax, that every fleet.NAME it uses is part of the "
                    + "API, and that every fleet.params.NAME is declared in its header. Exit 2 when something is wrong.")
    public void check(@Argument(index = 0) String file,
                      @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        Playbook playbook = Playbook.read(library().resolve(required(file, "playbook check FILE")));
        PlaybookCheck check = PlaybookRunner.check(playbook);
        Output out = session.output();
        if (json) {
            out.json(new CheckResult(playbook.file().toString(), check.ok(), playbook.description(), playbook.params(), check.uses(),
                    check.problems()));
        } else {
            out.println("%s: %s".formatted(playbook.file(), check.ok() ? "ok" : check.problems().size() + " problem" + (check.problems().size() == 1 ? "" : "s")));
            check.problems().forEach(p -> out.println("  " + p));
            out.println("  uses: " + (check.uses().isEmpty() ? "nothing of the fleet API" : String.join(", ", check.uses().stream().map(u -> "fleet." + u).toList())));
            out.println("  parameters: " + (playbook.params().isEmpty() ? "none" : String.join(", ", playbook.params().stream().map(PlaybookCommands::paramText).toList())));
        }
        if (!check.ok()) {
            throw new FleetshellException(ErrorCode.PLAYBOOK_INVALID, "%s has %d problem%s; nothing was run".formatted(playbook.name(),
                    check.problems().size(), check.problems().size() == 1 ? "" : "s"));
        }
    }

    @Command(name = {"playbook", "list"}, group = GROUP, help = "playbook list [--json]",
            description = "List the playbooks in scripts/ (under the working directory) and FLEETSHELL_HOME/playbooks, "
                    + "with their parameters and what they do.")
    public void list(@Option(longName = "json", description = "print JSON on stdout") boolean json) {
        PlaybookLibrary library = library();
        List<PlaybookLibrary.Entry> entries = library.list();
        Output out = session.output();
        if (json) {
            out.json(new Library(library.directories().stream().map(Path::toString).toList(), entries.stream().map(e -> new LibraryEntry(
                    e.file().toString(), e.playbook() == null ? null : e.playbook().description(),
                    e.playbook() == null ? List.of() : e.playbook().params(), e.error())).toList()));
            return;
        }
        if (entries.isEmpty()) {
            out.info("No playbooks in %s. Put .js files there, or run one by path: playbook run FILE.".formatted(
                    String.join(" or ", library.directories().stream().map(Path::toString).toList())));
            return;
        }
        TextTable table = new TextTable("PLAYBOOK", "PARAMETERS", "WHAT IT DOES").note("WHAT IT DOES");
        for (PlaybookLibrary.Entry e : entries) {
            table.row(e.file(), e.playbook() == null ? "-" : String.join(" ", e.playbook().params().stream().map(PlaybookCommands::paramShort).toList()),
                    e.playbook() == null ? e.error() : e.playbook().description());
        }
        out.table(table);
        out.info("playbook check FILE describes one; playbook run FILE --dry-run tries it without deploying anything.");
    }

    @Command(name = {"playbook", "runs"}, group = GROUP, help = "playbook runs [--limit N] [--json]",
            description = "List recent playbook runs, newest first: when, which playbook, how each ended.")
    public void runs(@Option(longName = "limit", defaultValue = "20", description = "how many runs") Integer limit,
                     @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (limit < 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--limit must be 1 or more");
        }
        List<PlaybookRunStore.Run> runs = new PlaybookRunStore(session.database()).recent(limit);
        Output out = session.output();
        if (json) {
            out.json(Map.of("runs", runs));
            return;
        }
        if (runs.isEmpty()) {
            out.info("No playbook runs yet: playbook run FILE starts one.");
            return;
        }
        TextTable table = new TextTable("RUN", "STARTED", "PLAYBOOK", "MODE", "EXIT", "RESULT").note("RESULT");
        runs.forEach(r -> table.row(r.id(), WHEN.format(r.startedAt()), r.file(), r.mode(), r.exitStatus() == null ? "-" : r.exitStatus(),
                r.outcome() == null ? "did not finish (its process ended first)" : r.message()));
        out.table(table);
    }

    @Command(name = {"playbook", "show"}, group = GROUP, help = "playbook show RUN [--json]",
            description = "Show one playbook run's journal: what it printed, every fleet call and its result, every "
                    + "policy decision, and how it ended.")
    public void show(@Argument(index = 0) String run,
                     @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        long id;
        try {
            id = Long.parseLong(required(run, "playbook show RUN"));
        } catch (NumberFormatException e) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "RUN is a run number from playbook runs, not '%s'".formatted(run));
        }
        PlaybookRunStore store = new PlaybookRunStore(session.database());
        PlaybookRunStore.Run stored = store.run(id).orElseThrow(() -> new FleetshellException(ErrorCode.UNKNOWN_NAME,
                "no playbook run %d; playbook runs lists them".formatted(id)));
        List<JournalEntry> journal = store.journal(id);
        Output out = session.output();
        if (json) {
            out.json(new RunJournal(stored, journal));
            return;
        }
        out.println("run %d: %s (%s), started %s, params %s".formatted(stored.id(), stored.file(), stored.mode(), WHEN.format(stored.startedAt()),
                stored.params().isEmpty() ? "none" : stored.params()));
        TextTable table = new TextTable("TIME", "KIND", "LINE", "WHAT").note("WHAT");
        journal.forEach(e -> table.row(TIME.format(e.at()), e.kind().label(), e.line() == 0 ? "" : e.line(), e.text()));
        out.table(table);
        List<Object> deployments = stored.mode().equals("run") ? journal.stream().filter(e -> e.kind() == JournalEntry.Kind.ACTION)
                .map(e -> e.data().get("deployment")).filter(java.util.Objects::nonNull).distinct().toList() : List.of();
        if (!deployments.isEmpty()) {
            out.info("deployments of this run: %s; explain DEPLOYMENT shows every proof and gate decision of one".formatted(
                    String.join(", ", deployments.stream().map(String::valueOf).toList())));
        }
        if (stored.outcome() == null) {
            out.warn("run %d did not finish: its process ended before the playbook did".formatted(id));
        }
    }

    /**
     * Every {@code --param NAME=VALUE}, in order; a later one for the same name wins. Read from the parsed
     * input, not the bound {@code List} parameter (which declares the option for help and completion): the
     * conversion to a list would split values at commas, and {@code --param batchSize=1,5,20%} must arrive whole.
     */
    private static Map<String, String> params(CommandContext context) {
        Map<String, String> params = new LinkedHashMap<>();
        for (CommandOption option : context.parsedInput().options()) {
            if (!"param".equals(option.longName())) {
                continue;
            }
            String value = option.value();
            int eq = value == null ? -1 : value.indexOf('=');
            if (eq <= 0) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "--param takes NAME=VALUE, e.g. --param size=5, not '%s'".formatted(value));
            }
            params.put(value.substring(0, eq), value.substring(eq + 1));
        }
        return params;
    }

    private static String required(String value, String usage) {
        if (value == null || value.isBlank()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name the playbook: " + usage + " (playbook list shows them)");
        }
        return value;
    }

    private static String paramShort(PlaybookParam p) {
        return p.required() ? p.name() : p.name() + "=" + p.defaultValue();
    }

    private static String paramText(PlaybookParam p) {
        return paramShort(p) + (p.description().isEmpty() ? "" : " (" + p.description() + ")");
    }

    /** What {@code playbook run|simulate --json} prints: the run, how it ended, and its journal. */
    record RunSummary(long run, String playbook, String sha256, String mode, Map<String, Object> params, String outcome, int exitStatus,
                      String message, long tookMs, List<JournalEntry> journal) {
    }

    /** What {@code playbook show --json} prints: the stored run, then its journal. */
    record RunJournal(@JsonUnwrapped PlaybookRunStore.Run run, List<JournalEntry> journal) {
    }

    /** What {@code playbook check --json} prints. */
    record CheckResult(String playbook, boolean ok, String description, List<PlaybookParam> params, List<String> uses,
                       List<String> problems) {
    }

    /** What {@code playbook list --json} prints: where playbooks are looked for, and each one found. */
    record Library(List<String> directories, List<LibraryEntry> playbooks) {
    }

    /** One playbook file; a file that does not read has its error and no description. */
    record LibraryEntry(String file, String description, List<PlaybookParam> params, String error) {
    }
}
