package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.analysis.ImportVerdict;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code lazy_loading}: every deferrable module-level import keeps a module-level binding of the same
 * name that loads the module on first use and is the very module object afterwards (LAZY_IMPORTS.md
 * rules 1-4). On Python 3.15 and newer the statement becomes PEP 810's {@code lazy import} /
 * {@code lazy from}; before, the name is bound through a small loader, {@code _fleetshell_lazy}.
 *
 * <p>The loader is inlined into the agent (about 80 lines, once, before the first top-level import, and
 * deleted again after the last deferred import, so the module's names stay the same) rather than shipped
 * as a file next to the agent: the rewrite stays one file whose backup restores it byte-exact, it needs no
 * import-path change (which would itself keep imports eager, rule 5), and the agent runs anywhere its file
 * is copied. It does not use {@code importlib.util.LazyLoader}: that one races on the first load before
 * 3.11.9 / 3.12.3, and a lock around it does not help because it flips the module's class before the
 * module's code has run; the inlined loader holds a lock until the module (and, for {@code import a.b.c},
 * every submodule) is loaded.
 *
 * <p>Dotted imports (issue 19 item 4): {@code import a.b.c} waits as a whole. The first package of the chain that is
 * not loaded when the statement runs is bound unloaded, and its first use runs it and then imports the rest of the
 * chain, in the order the eager statement ran them; packages already loaded stay as they are. The rule for the
 * parents' {@code __init__} side effects: a package's {@code __init__} is a module body like any other, so it is
 * deferred on the same terms as the module it contains (LAZY_IMPORTS.md rules 1 and 5). The import stays eager
 * when any package of the chain is a side-effect module (settings' {@code side_effect_modules} match a chain by its
 * packages too), when the fleet's own code is involved and any {@code __init__.py} on the chain does more than
 * define names (issue 17's check walks the chain), and when its top name is used at load time or bound eagerly by
 * another statement. {@code import a.b.c as x} and {@code from a.b import c} bind the submodule itself, unloaded, and
 * its parents not loaded yet wait with it: its first use runs them, then the submodule, in the eager order (a parent
 * whose {@code __init__} imports the submodule runs it at that statement, as {@code redis} does with
 * {@code redis.asyncio}), and the parent gets the attribute as the eager import set it. Packages that are not plain
 * source (namespace packages, C code) and chains the loader cannot find without running a package still load at once.
 */
public final class DeferHeavyImports implements Pattern<FileFacts> {

    public static final String ID = "lazy_loading";
    /**
     * Option: what each import target is, as the agent's interpreter sees it, comma-separated {@code target:kind}
     * with kind {@code source}, {@code native}, {@code preloaded}, {@code attribute} or {@code missing} (the optimizer
     * looks them up). Without it every {@code import} counts as a Python source module and every from-import as an
     * attribute.
     */
    public static final String OPTION_MODULE_KINDS = "module_kinds";
    /**
     * Option: the dotted name of the helper module that holds the loader (e.g. {@code common._fleetshell_lazy}). With it
     * the rewrite imports {@code _fleetshell_lazy} from that module instead of inlining it: one small module serves every
     * rewritten module of a package tree. Without it the loader is inlined (one-file mode, for one agent's own file).
     * Either way the name is deleted after the last deferred import, so the module's names stay the same.
     */
    public static final String OPTION_HELPER_MODULE = "helper_module";
    /** The file name of the helper module ({@link #helperModule}), placed in the package the rewrites import it from. */
    public static final String HELPER_FILE = "_fleetshell_lazy.py";
    static final String LOADER = "_fleetshell_lazy";
    private static final String LOADER_RESOURCE = "/io/fleetshell/python/lazy_import.py";

    /** A name to defer, or one that stays eager with the reason. */
    record Decision(ImportFact fact, String keptBecause) {
        boolean deferred() {
            return keptBecause == null;
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Defer heavy imports to first use";
    }

    @Override
    public String description() {
        return "Makes each module-level import that nothing uses while the module loads load on first use instead. "
                + "The name stays a module-level binding and is the very module object, so agent.np, mock.patch and "
                + "from agent import np keep working. On Python 3.15+ it writes PEP 810 lazy import; before, a "
                + "thread-safe loader inlined once in the file. Imports used at load time, inside try, star and "
                + "__future__ imports, side-effect imports and imports after a sys.path change stay eager, each with "
                + "the reason. What still changes: an error in a deferred module's code surfaces at first use, "
                + "deferred modules load later and in the thread that first uses them, and that first use pays the import.";
    }

    @Override
    public Applicability validate(PatternInput<FileFacts> input) {
        Optional<Applicability> refused = Preconditions.refusal(input, "lazy_loading", LOADER);
        if (refused.isPresent()) {
            return refused.get();
        }
        List<Decision> decisions = decide(input);
        List<String> reasons = new ArrayList<>(explain(decisions, lines(input)));
        if (decisions.stream().noneMatch(Decision::deferred)) {
            reasons.addFirst("nothing to defer: every module-level import must stay as it is");
            return new Applicability.DoesNotApply(reasons);
        }
        return new Applicability.Applies(reasons);
    }

    @Override
    public Rewrite rewrite(PatternInput<FileFacts> input) {
        Applicability applicability = validate(input);
        if (!applicability.applies()) {
            return Rewrite.unchanged(ID, input.file(), input.source(), applicability.reasons());
        }
        PythonVersion version = PythonVersion.parse(input.version());
        boolean pep810 = version.hasLazyImports();
        List<Decision> decisions = decide(input);
        TextEdits edits = new TextEdits(input.source());
        String eol = edits.lineEnding();
        Map<ImportFact.Span, List<Decision>> byStatement = new LinkedHashMap<>();
        decisions.forEach(d -> byStatement.computeIfAbsent(d.fact().span(), s -> new ArrayList<>()).add(d));
        ImportFact.Span last = null;
        for (Map.Entry<ImportFact.Span, List<Decision>> statement : byStatement.entrySet()) {
            if (statement.getValue().stream().anyMatch(Decision::deferred)) {
                last = statement.getKey();
            }
        }
        for (Map.Entry<ImportFact.Span, List<Decision>> statement : byStatement.entrySet()) {
            List<Decision> names = statement.getValue();
            if (names.stream().noneMatch(Decision::deferred)) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            List<ImportFact> kept = names.stream().filter(d -> !d.deferred()).map(Decision::fact).toList();
            if (!kept.isEmpty()) {
                parts.add(ImportStatements.spell(kept));
            }
            names.stream().filter(Decision::deferred).forEach(d -> parts.add(pep810 ? lazyStatement(d.fact()) : loaderCall(d.fact())));
            ImportFact.Span span = statement.getKey();
            if (!pep810 && span.equals(last)) {
                int end = edits.end(span);
                String rest = edits.restOfLine(end).strip();
                if (rest.isEmpty() || rest.startsWith("#")) {
                    int next = edits.nextLineStart(end);
                    edits.insert(next, (next == edits.end(span) + edits.restOfLine(end).length() ? eol : "") + "del " + LOADER + eol);
                } else {
                    parts.add("del " + LOADER);
                }
            }
            edits.replaceImport(span, String.join("; ", parts));
        }
        int at = edits.lineStart(headerLine(input.facts()));
        String helper = helperModule(input);
        String binder = pep810 ? eol : helper == null ? loader(eol) + eol : "from %s import %s%s".formatted(helper, LOADER, eol);
        edits.insert(at, header(version, decisions, lines(input), eol) + binder);
        List<String> notes = new ArrayList<>(explain(decisions, lines(input)));
        notes.add(pep810
                ? "Python %s: the deferred imports are PEP 810 `lazy import` / `lazy from` statements.".formatted(version)
                : helper == null
                ? ("Python %s: the deferred names are bound by `%s`, inlined once before the first top-level import and deleted "
                        + "after the last deferred one (one file, one backup; no import-path change).").formatted(version, LOADER)
                : ("Python %s: the deferred names are bound by `%s`, imported from the helper module `%s` (%s, made with this change "
                        + "when it is absent) before the first top-level import and deleted after the last deferred one.")
                        .formatted(version, LOADER, helper, HELPER_FILE));
        notes.add("Still changes, error timing: an exception raised by a deferred module's own code surfaces at the first use of its name "
                + "instead of at load (a module that is missing altogether still fails at load, as before).");
        notes.add("Still changes, import order: deferred modules load after the imports that follow them, in the thread that first uses "
                + "them (a lock makes that first load run once).");
        notes.add("Still changes, first-use latency: the first use of each deferred name pays its import (the proof measures it as first-use cost).");
        return new Rewrite(ID, input.file(), input.source(), edits.apply(), notes);
    }

    /**
     * What the rewrite defers, as attribute paths from the module to each deferred module: {@code np} for
     * {@code import numpy as np}, {@code urllib.request} for {@code import urllib.request}. Touching a path
     * is a first use (the proof times it).
     */
    public List<String> deferredNames(PatternInput<FileFacts> input) {
        if (!input.facts().parsed()) {
            return List.of();
        }
        return decide(input).stream().filter(Decision::deferred).map(d -> d.fact())
                .map(f -> f.kind() == ImportFact.Kind.IMPORT && f.alias() == null ? f.module() : f.alias() != null ? f.alias() : f.bound())
                .distinct().toList();
    }

    /** One imported name: the line of its statement, and why it stays eager (null when it is deferred). */
    public record NameDecision(int line, String text, String keptBecause) {
    }

    /**
     * What this pattern does with each module-level imported name. {@code score} asks this too, so that score and
     * {@code optimize} agree on which agents have something to defer: one function decides.
     */
    public List<NameDecision> decisions(PatternInput<FileFacts> input) {
        if (!input.facts().parsed()) {
            return List.of();
        }
        return decide(input).stream().map(d -> new NameDecision(d.fact().span().line(), d.fact().text(), d.keptBecause())).toList();
    }

    List<Decision> decide(PatternInput<FileFacts> input) {
        FileFacts facts = input.facts();
        boolean pep810 = PythonVersion.parse(input.version()).hasLazyImports();
        Map<String, String> kinds = new HashMap<>();
        Arrays.stream(input.options().getOrDefault(OPTION_MODULE_KINDS, "").split(",")).map(String::strip)
                .filter(s -> s.contains(":")).forEach(s -> kinds.put(s.substring(0, s.lastIndexOf(':')), s.substring(s.lastIndexOf(':') + 1)));
        List<ImportVerdict> verdicts = io.fleetshell.engine.python.analysis.DeferrableImports.classify(facts);
        Map<String, ImportFact> eagerBinders = new LinkedHashMap<>();
        verdicts.stream().filter(v -> v instanceof ImportVerdict.MustStayEager)
                .forEach(v -> eagerBinders.putIfAbsent(v.fact().bound(), v.fact()));
        int headerLine = headerLine(facts);
        ImporterReads importers = ImporterReads.of(input.options());
        List<Decision> decisions = new ArrayList<>();
        for (ImportVerdict verdict : verdicts) {
            ImportFact fact = verdict.fact();
            String kept = switch (verdict) {
                case ImportVerdict.MustStayEager eager -> eager.reason().explain();
                case ImportVerdict.Unused unused -> "it is never used: dependency_reduction removes it";
                case ImportVerdict.NotRuntime notRuntime -> "it is inside `if TYPE_CHECKING:` and never runs";
                case ImportVerdict.Deferrable deferrable -> {
                    String read = importers.keepsEager(fact.bound());
                    yield read != null ? read : keptAnyway(fact, pep810, kinds, eagerBinders, headerLine);
                }
            };
            decisions.add(new Decision(fact, kept));
        }
        return decisions;
    }

    private static String keptAnyway(ImportFact fact, boolean pep810, Map<String, String> kinds, Map<String, ImportFact> eagerBinders,
                                     int headerLine) {
        String target = fact.kind() == ImportFact.Kind.FROM ? fact.module() + "." + fact.name() : fact.module();
        String kind = kinds.getOrDefault(target, fact.kind() == ImportFact.Kind.FROM ? "attribute" : "source");
        if (fact.level() > 0) {
            return "relative imports stay eager: lazy_loading defers absolute imports only";
        }
        if (!fact.enclosing().isEmpty()) {
            return "it is inside a module-level " + fact.enclosing().getLast() + " block: lazy_loading defers top-level imports only";
        }
        ImportFact eager = eagerBinders.get(fact.bound());
        if (eager != null) {
            return "`%s` is also bound by `%s` (line %d), which stays eager and loads it anyway"
                    .formatted(fact.bound(), eager.text(), eager.span().line());
        }
        switch (kind) {
            case "preloaded" -> {
                return "`%s` is loaded when the interpreter starts: deferring it gains nothing".formatted(target);
            }
            case "missing" -> {
                return "the agent's interpreter does not find `%s`: the import stays where its error is raised".formatted(target);
            }
            case "native" -> {
                if (!pep810) {
                    return "`%s` is built in or a C extension: only Python source modules load lazily before 3.15".formatted(target);
                }
            }
            case "attribute" -> {
                if (!pep810) {
                    return ("`%s` is not a submodule of `%s`: before Python 3.15 (PEP 810 `lazy from`) a from-import of an "
                            + "attribute loads its module, rule 4").formatted(fact.name(), fact.module());
                }
            }
            default -> {
                // a Python source module: deferrable
            }
        }
        if (headerLine <= 0 || fact.span().line() < headerLine) {
            return "it comes before the first import statement that starts a line at the top level, where the loader goes";
        }
        return null;
    }

    /** The first line holding a top-level, non-{@code __future__} import at column 0: after the docstring and future imports. */
    private static int headerLine(FileFacts facts) {
        return facts.moduleLevelImports().stream()
                .filter(f -> f.enclosing().isEmpty() && !f.future() && f.span().column() == 0)
                .mapToInt(f -> f.span().line()).min().orElse(0);
    }

    private static LineMap lines(PatternInput<FileFacts> input) {
        return LineMap.parse(input.options().get(LineMap.OPTION));
    }

    /** One sentence per name; lines are the original file's (the reasons' own line numbers, from the facts, too). */
    private static List<String> explain(List<Decision> decisions, LineMap lines) {
        return decisions.stream().map(d -> d.deferred()
                ? "deferred: `%s` (line %d)".formatted(d.fact().text(), lines.original(d.fact().span().line()))
                : "kept eager: `%s` (line %d): %s".formatted(d.fact().text(), lines.original(d.fact().span().line()),
                        remapLines(d.keptBecause(), lines)))
                .collect(Collectors.toCollection(ArrayList::new));
    }

    /** "line 45" in a reason, written from the facts of a rewritten file, becomes the original's line. */
    private static String remapLines(String reason, LineMap lines) {
        return java.util.regex.Pattern.compile("line (\\d+)").matcher(reason)
                .replaceAll(m -> "line " + lines.original(Integer.parseInt(m.group(1))));
    }

    private static String header(PythonVersion version, List<Decision> decisions, LineMap lines, String eol) {
        StringBuilder text = new StringBuilder();
        text.append("# fleetshell lazy_loading (Python ").append(version).append("): each deferred import below keeps its name, ")
                .append("which loads the module on first use").append(eol);
        for (String line : explain(decisions, lines)) {
            text.append("#   ").append(line).append(eol);
        }
        return text.toString();
    }

    /** The helper module's dotted name when the rewrite imports the loader (never on 3.15+, which needs no loader). */
    private static String helperModule(PatternInput<FileFacts> input) {
        String helper = input.options().get(OPTION_HELPER_MODULE);
        if (helper == null || helper.isBlank() || PythonVersion.parse(input.version()).hasLazyImports()) {
            return null;
        }
        if (!helper.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
            throw new IllegalArgumentException("option " + OPTION_HELPER_MODULE + " must be a dotted module name, not '" + helper + "'");
        }
        return helper;
    }

    /**
     * The bytes of the helper module {@link #HELPER_FILE}: a docstring saying whose it is and the loader, with
     * {@code \n} line ends. A helper already in the fleet is reused only when it holds exactly these bytes.
     */
    public static byte[] helperModule() {
        return ("\"\"\"The loader of fleetshell's lazy_loading, imported by the modules it rewrote (`from ... import _fleetshell_lazy`).\n\n"
                + "Added by the fleetshell change that first needed it; rolling that change back removes it. fleetshell\n"
                + "reuses it only while it holds exactly these bytes, so do not edit it.\n\"\"\"\n\n\n" + loader("\n"))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String loader(String eol) {
        try (InputStream in = DeferHeavyImports.class.getResourceAsStream(LOADER_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(LOADER_RESOURCE + " is missing from this build");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.replace("\n", eol);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code bound = _fleetshell_lazy(target, module to bind)}: {@code import a.b.c} binds {@code a} and loads
     * {@code a.b.c} on first use (rule 3); {@code import a.b.c as x} and {@code from a.b import c} bind the submodule.
     */
    private static String loaderCall(ImportFact fact) {
        String name = fact.alias() != null ? fact.alias() : fact.bound();
        String target = fact.kind() == ImportFact.Kind.FROM ? fact.module() + "." + fact.name() : fact.module();
        String bind = fact.kind() == ImportFact.Kind.FROM || fact.alias() != null ? target : fact.bound();
        return "%s = %s(\"%s\", \"%s\")".formatted(name, LOADER, target, bind);
    }

    private static String lazyStatement(ImportFact fact) {
        return "lazy " + ImportStatements.spell(List.of(fact));
    }
}
