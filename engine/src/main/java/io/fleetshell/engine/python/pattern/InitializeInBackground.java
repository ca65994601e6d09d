package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.analysis.WorkFacts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code async_initialization}: a module-level statement {@code NAME = value} whose value does heavy work (loads a
 * model, reads a file, opens a client, directly or through the file's functions and constructors) starts that work in
 * a background thread at the same point and binds {@code NAME} to a holder; every read of {@code NAME} in the file's
 * functions becomes {@code NAME.result()}, which waits for the work and returns its value (or raises its exception with
 * the original traceback). Where the agent hands its serving to a recognisable readiness hook (by default
 * {@code common.demo_runtime.serve}, which takes {@code ready=}), the hook gets {@code ready=NAME.ready}, so the
 * health endpoint says "starting" until the work is done.
 *
 * <p>The holder's factory is inlined once before the first moved statement and deleted after the last one, so the
 * module's names stay the same (one file, one backup). Statements stay where they are, each with the reason, when
 * their name is read while the module loads or by the {@code __main__} block before it serves (the port must wait
 * for it), when it is bound again, when the work installs signal handlers (main thread only) or the agent forks.
 */
public final class InitializeInBackground implements Pattern<FileFacts> {

    public static final String ID = "async_initialization";
    /**
     * Option: readiness hooks, comma-separated {@code module.function:keyword}. A call of one of them by the
     * {@code __main__} block gets {@code keyword=<ready check>}; default {@link #DEFAULT_HOOKS}.
     */
    public static final String OPTION_READINESS_HOOKS = "readiness_hooks";
    public static final String DEFAULT_HOOKS = "common.demo_runtime.serve:ready";
    static final String STARTER = "_fleetshell_start";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Start heavy initialization in a background thread";
    }

    @Override
    public String description() {
        return "Moves heavy work done while the module loads (model loading, large file reads, clients) to a background "
                + "thread started at the same point; the name it assigned holds a future-like holder and every read of it "
                + "in the file's functions waits for the value (an exception surfaces there with its original traceback; "
                + "run as a script, the agent prints it and exits with status 1, as before but after its ports are bound). "
                + "Where the agent serves through a readiness hook (common.demo_runtime.serve by default), its health "
                + "endpoint answers 503 \"starting\" until the work is done. What changes: the agent is healthy (answers "
                + "its health endpoint) sooner; it is ready (answers requests) about as soon as before; requests that "
                + "arrive early wait instead of being refused.";
    }

    @Override
    public Applicability validate(PatternInput<FileFacts> input) {
        Optional<Applicability> refused = Preconditions.refusal(input, "async_initialization", STARTER);
        if (refused.isPresent()) {
            return refused.get();
        }
        FileFacts facts = input.facts();
        List<WorkFacts.StartupWork> work = facts.work().startup();
        if (work.isEmpty()) {
            return new Applicability.DoesNotApply(List.of("nothing to move: no heavy call runs while the module loads"));
        }
        LineMap lines = LineMap.parse(input.options().get(LineMap.OPTION));
        List<String> reasons = new ArrayList<>(explain(work).stream().map(lines::remap).toList());
        if (moved(facts).isEmpty()) {
            reasons.addFirst("nothing to move: every statement doing heavy work at load must stay where it is");
            return new Applicability.DoesNotApply(reasons);
        }
        reasons.add(hook(input).map(h -> lines.remap("readiness: `%s` (line %d) gets %s=..., so health says \"starting\" until the work is done"
                .formatted(h.call().resolved(), h.call().line(), h.keyword())))
                .orElse(noHookNote()));
        return new Applicability.Applies(reasons);
    }

    @Override
    public Rewrite rewrite(PatternInput<FileFacts> input) {
        Applicability applicability = validate(input);
        if (!applicability.applies()) {
            return Rewrite.unchanged(ID, input.file(), input.source(), applicability.reasons());
        }
        FileFacts facts = input.facts();
        List<WorkFacts.StartupWork> moved = moved(facts);
        TextEdits edits = new TextEdits(input.source());
        String eol = edits.lineEnding();
        WorkFacts.StartupWork first = moved.getFirst();
        WorkFacts.StartupWork last = moved.getLast();
        edits.insert(edits.lineStart(first.line()), header(facts.work().startup(), LineMap.parse(input.options().get(LineMap.OPTION)), eol) + InlinedHelper.text("background_init.py", eol) + eol);
        for (WorkFacts.StartupWork statement : moved) {
            ImportFact.Span value = statement.value();
            int start = edits.offset(value.line(), value.column());
            int end = edits.offset(value.endLine(), value.endColumn());
            edits.replace(start, end, "%s(\"%s\", lambda: %s)".formatted(STARTER, statement.name(), edits.text(start, end)));
            for (ImportFact.Span read : statement.reads()) {
                int at = edits.offset(read.line(), read.column());
                int to = edits.offset(read.endLine(), read.endColumn());
                if (!edits.text(at, to).equals(statement.name())) {
                    return Rewrite.unchanged(ID, input.file(), input.source(), List.of(("line %d column %d does not hold `%s`: the file "
                            + "changed since it was analyzed, or its encoding is not UTF-8; nothing was changed")
                            .formatted(read.line(), read.column(), statement.name())));
                }
                edits.insert(to, ".result()");
            }
        }
        int afterLast = edits.nextLineStart(edits.offset(last.endLine(), 0) + edits.restOfLine(edits.offset(last.endLine(), 0)).length());
        boolean endsFile = afterLast == input.source().length && !endsWithBreak(input.source());
        edits.insert(afterLast, (endsFile ? eol : "") + "del " + STARTER + eol);
        hook(input).ifPresent(h -> {
            String check = moved.size() == 1 ? moved.getFirst().name() + ".ready"
                    : "lambda: all(h.ready() for h in (%s))".formatted(moved.stream().map(WorkFacts.StartupWork::name).collect(Collectors.joining(", ")));
            WorkFacts.Position after = h.call().after();
            if (after != null) {
                edits.insert(edits.offset(after.line(), after.column()), ", %s=%s".formatted(h.keyword(), check));
            } else {
                edits.insert(edits.offset(h.call().end().line(), h.call().end().column()) - 1, "%s=%s".formatted(h.keyword(), check));
            }
        });
        List<String> notes = new ArrayList<>(applicability.reasons());
        notes.add("Still changes, start-up: the agent answers its health endpoint before the moved work is done (time-to-healthy "
                + "drops); it answers requests when the work is done, as before (time-to-ready stays about the same); requests "
                + "that arrive early wait for the work instead of finding the port closed.");
        notes.add("Still changes, errors: an exception in the moved work surfaces at the first read of its name, with the original "
                + "traceback; run as a script the agent prints it and exits with status 1, after its ports were bound instead of before.");
        notes.add("Still changes, threads: the work runs in a daemon thread named fleetshell-init-NAME, and the module's other "
                + "statements run while it does.");
        return new Rewrite(ID, input.file(), input.source(), edits.apply(), notes);
    }

    /** The names whose work the rewrite moves (the proof waits for them). */
    public List<String> movedNames(PatternInput<FileFacts> input) {
        return input.facts().parsed() ? moved(input.facts()).stream().map(WorkFacts.StartupWork::name).toList() : List.of();
    }

    private static List<WorkFacts.StartupWork> moved(FileFacts facts) {
        return facts.work().startup().stream().filter(w -> w.refused() == null && w.name() != null).toList();
    }

    private static List<String> explain(List<WorkFacts.StartupWork> work) {
        return work.stream().map(w -> w.refused() == null
                ? "moved to a background thread: `%s` (line %d), which calls %s".formatted(w.name(), w.line(), String.join(", ", w.heavy()))
                : "kept: %s (line %d), which calls %s: %s".formatted(w.name() == null ? "the statement" : "`" + w.name() + "`", w.line(),
                        String.join(", ", w.heavy()), w.refused())).toList();
    }

    static String noHookNote() {
        return "readiness: no call of a readiness hook was found (configure readiness_hooks, e.g. " + DEFAULT_HOOKS
                + "): the health endpoint says ok before the work is done; only time-to-ready is kept, requests wait for the work";
    }

    private record Hook(WorkFacts.HookCall call, String keyword) {
    }

    private static Optional<Hook> hook(PatternInput<FileFacts> input) {
        Map<String, String> hooks = new LinkedHashMap<>();
        Arrays.stream(input.options().getOrDefault(OPTION_READINESS_HOOKS, DEFAULT_HOOKS).split(",")).map(String::strip)
                .filter(s -> s.contains(":")).forEach(s -> hooks.put(s.substring(0, s.lastIndexOf(':')), s.substring(s.lastIndexOf(':') + 1)));
        return input.facts().work().hooks().stream().filter(h -> hooks.containsKey(h.resolved()) && !h.keywords().contains(hooks.get(h.resolved())))
                .findFirst().map(h -> new Hook(h, hooks.get(h.resolved())));
    }

    private static String header(List<WorkFacts.StartupWork> work, LineMap lines, String eol) {
        StringBuilder text = new StringBuilder("# fleetshell async_initialization: heavy work below starts in a background thread; "
                + "reads of its name wait for it" + eol);
        for (String line : explain(work)) {
            text.append("#   ").append(lines.remap(line)).append(eol);
        }
        return text.toString();
    }

    private static boolean endsWithBreak(byte[] source) {
        return source.length > 0 && (source[source.length - 1] == '\n' || source[source.length - 1] == '\r');
    }
}
