package io.fleetshell.engine.playbook;

import io.fleetshell.engine.FleetshellException;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import tools.jackson.databind.json.JsonMapper;

import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks and runs playbooks. A run checks the playbook first (nothing runs when it is wrong), then
 * evaluates it in a fresh sandboxed context on the shared engine, with the {@code fleet} object bound to
 * the given port, under a watchdog; every way it can end becomes a {@link PlaybookOutcome} whose message
 * names the playbook's line.
 */
public final class PlaybookRunner {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FleetPort port;
    private final PlaybookListener listener;

    public PlaybookRunner(FleetPort port, PlaybookListener listener) {
        this.port = port;
        this.listener = listener;
    }

    /** Parses the playbook (without running any of it) and checks its use of the API. */
    public static PlaybookCheck check(Playbook playbook) {
        ApiUse.Report use = ApiUse.of(playbook);
        List<String> problems = new ArrayList<>();
        try (Context context = JsEngine.context(0, OutputStream.nullOutputStream())) {
            context.parse(source(playbook));
        } catch (PolyglotException e) {
            if (!e.isSyntaxError()) {
                throw e;
            }
            SourceSection at = e.getSourceLocation();
            problems.add(at == null ? playbook.name() + ": " + e.getMessage()
                    : "%s:%d:%d: %s".formatted(playbook.name(), at.getStartLine(), at.getStartColumn(), syntaxMessage(e)));
        }
        use.problems().forEach(p -> problems.add("%s:%d: %s".formatted(playbook.name(), p.line(), p.message())));
        return new PlaybookCheck(playbook, List.copyOf(use.uses()), problems);
    }

    /**
     * Runs {@code playbook} with {@code params} (as {@link Playbook#bind} returned them). In a dry run, actions
     * that change agents are planned and journaled, not executed; in a simulation the port answers from a
     * recorded deployment and nothing waits.
     */
    public PlaybookOutcome run(Playbook playbook, Map<String, Object> params, RunMode mode, PlaybookLimits limits) {
        long start = System.nanoTime();
        PlaybookCheck check = check(playbook);
        if (!check.ok()) {
            return end(new PlaybookOutcome.Failed(String.join("\n", check.problems())
                    + "\nNothing ran (playbook check " + playbook.name() + " lists the problems).", 0, took(start)));
        }
        RunControl control = new RunControl();
        FleetApi api = new FleetApi(port, control, listener, mode, playbook.name());
        LineOutput printed = new LineOutput(text -> api.print(false, text, 0));
        PlaybookOutcome outcome;
        Context context = JsEngine.context(limits.statementLimit(), printed);
        try {
            context.eval(JsEngine.prelude()).execute(api, JSON.writeValueAsString(params), playbook.name(), mode != RunMode.RUN);
            try (Watchdog watchdog = new Watchdog(context, control, limits)) {
                context.eval(source(playbook));
            }
            outcome = api.stopRequest() != null
                    ? new PlaybookOutcome.Stopped("%s:%d: stopped by the playbook: %s".formatted(playbook.name(), api.stopLine(),
                    api.stopRequest()), api.stopLine(), took(start))
                    : api.haltReason() != null
                    ? new PlaybookOutcome.Stopped("%s:%d: %s".formatted(playbook.name(), api.haltLine(), api.haltReason()), api.haltLine(), took(start))
                    : new PlaybookOutcome.Completed(took(start));
        } catch (PolyglotException e) {
            outcome = classify(e, playbook, api, control, limits, took(start));
        } catch (OutOfMemoryError e) {
            outcome = new PlaybookOutcome.Failed(playbook.name() + ": ran out of memory; nothing more ran", 0, took(start));
        } finally {
            Thread.interrupted(); // a stop may have interrupted this thread; the shell goes on
            printed.flush();
            closeQuietly(context);
        }
        return end(outcome);
    }

    private PlaybookOutcome end(PlaybookOutcome outcome) {
        int line = switch (outcome) {
            case PlaybookOutcome.Stopped s -> s.line();
            case PlaybookOutcome.Failed f -> f.line();
            case PlaybookOutcome.Completed c -> 0;
        };
        listener.entry(new JournalEntry(Instant.now(), JournalEntry.Kind.END, line, outcome.label() + ": " + outcome.message(),
                ApiValues.object("outcome", outcome.label(), "exit_status", outcome.exitStatus(), "took_ms", outcome.took().toMillis())));
        return outcome;
    }

    private static PlaybookOutcome classify(PolyglotException e, Playbook playbook, FleetApi api, RunControl control,
                                            PlaybookLimits limits, Duration took) {
        int line = lineOf(e, playbook.name());
        String at = line > 0 ? playbook.name() + ":" + line : playbook.name();
        if (e.isSyntaxError()) {
            SourceSection s = e.getSourceLocation();
            return new PlaybookOutcome.Failed("%s:%d: %s".formatted(playbook.name(), s == null ? 0 : s.getStartLine(), syntaxMessage(e)),
                    s == null ? 0 : s.getStartLine(), took);
        }
        RunControl.StopReason stop = control.stopReason();
        if (stop != null && (e.isInterrupted() || e.isCancelled() || api.lastError() != null && e.getMessage().contains("woken to stop"))) {
            String message = "%s: stopped: %s; nothing after that line ran".formatted(at, stop.message());
            return stop.badPlaybook() ? new PlaybookOutcome.Failed(message, line, took) : new PlaybookOutcome.Stopped(message, line, took);
        }
        if (e.isResourceExhausted() && String.valueOf(e.getMessage()).startsWith("Statement count limit")) {
            return new PlaybookOutcome.Failed("%s: stopped after %,d JavaScript statements, the limit of a run (an endless loop?); nothing after that line ran"
                    .formatted(at, limits.statementLimit()), line, took);
        }
        if (e.isResourceExhausted()) {
            return new PlaybookOutcome.Failed("%s: stopped: %s; nothing after that line ran".formatted(at, e.getMessage()), line, took);
        }
        if (api.stopRequest() != null) {
            return new PlaybookOutcome.Stopped("%s:%d: stopped by the playbook: %s".formatted(playbook.name(), api.stopLine(), api.stopRequest()),
                    api.stopLine(), took);
        }
        FleetshellException fleetError = api.lastError();
        if (e.isGuestException() && fleetError != null && String.valueOf(e.getMessage()).equals("FleetError: " + fleetError.getMessage())) {
            String message = at + ": " + fleetError.getMessage();
            return fleetError.code().exitStatus() == 2 ? new PlaybookOutcome.Failed(message, line, took)
                    : new PlaybookOutcome.Stopped(message, line, took);
        }
        if (e.isHostException()) {
            Throwable cause = e.asHostException();
            return new PlaybookOutcome.Stopped("%s: internal error in a fleet call: %s".formatted(at, cause), line, took);
        }
        return new PlaybookOutcome.Failed(at + ": " + e.getMessage(), line, took);
    }

    /** The line of the innermost frame in the playbook itself (not in the API prelude or a built-in). */
    static int lineOf(PolyglotException e, String playbookName) {
        for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
            SourceSection s = frame.getSourceLocation();
            if (frame.isGuestFrame() && s != null && playbookName.equals(s.getSource().getName())) {
                return s.getStartLine();
            }
        }
        SourceSection s = e.getSourceLocation();
        return s != null && playbookName.equals(s.getSource().getName()) ? s.getStartLine() : 0;
    }

    private static String syntaxMessage(PolyglotException e) {
        // GraalJS prefixes the file and line itself ("x.js:3:5 Expected ..."): keep the part after it.
        String message = String.valueOf(e.getMessage());
        int space = message.indexOf(' ');
        return "SyntaxError: " + (message.matches("^\\S+:\\d+:\\d+ .*") ? message.substring(space + 1) : message);
    }

    private static Source source(Playbook playbook) {
        return Source.newBuilder("js", playbook.source(), playbook.name()).buildLiteral();
    }

    private static Duration took(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void closeQuietly(Context context) {
        try {
            context.close();
        } catch (PolyglotException | IllegalStateException e) {
            // a cancelled or exhausted context reports that again on close; the outcome already says so
        }
    }
}
