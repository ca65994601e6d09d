package io.fleetshell.engine.python.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, for every name bound by a module-level import of a parsed file, whether the import can be
 * deferred (LAZY_IMPORTS.md). The rules, first match wins:
 * <ol>
 *   <li>{@code __future__} and star imports stay (rule 5); imports under {@code if TYPE_CHECKING:} are not runtime imports;</li>
 *   <li>every import of a file that reads names by computed names ({@code exec}, {@code eval}, {@code globals()}, ...) stays;</li>
 *   <li>imports inside try, with or loop blocks, or inside the {@code __main__} block, stay (rule 5);</li>
 *   <li>side-effect modules stay, so do modules of the fleet's own code whose loading does more than define names,
 *       and an unused import marked noqa (rule 5);</li>
 *   <li>imports after a module-level {@code sys.path} change stay (rule 5);</li>
 *   <li>an unused import with nothing keeping it is {@link ImportVerdict.Unused};</li>
 *   <li>a use while the module body runs keeps it eager, and so does a use from the {@code __main__} block (rule 1);</li>
 *   <li>anything else is {@link ImportVerdict.Deferrable}, with notes on what the rewrite must preserve (rules 2-4).</li>
 * </ol>
 * Imports inside functions and classes are not classified: they already run late, or bind class attributes.
 */
public final class DeferrableImports {

    private DeferrableImports() {
    }

    /** One verdict per bound name of each module-level import, in source order; empty for a file with a parse error. */
    public static List<ImportVerdict> classify(FileFacts facts) {
        if (!facts.parsed()) {
            return List.of();
        }
        List<ImportVerdict> verdicts = new ArrayList<>();
        for (ImportFact fact : facts.moduleLevelImports()) {
            verdicts.add(classify(facts, fact));
        }
        return noteSharedStatements(verdicts);
    }

    /** The verdict for the import binding {@code bound} (the first one, when several bind it). */
    public static Optional<ImportVerdict> verdictFor(FileFacts facts, String bound) {
        return classify(facts).stream().filter(v -> bound.equals(v.fact().bound())).findFirst();
    }

    private static ImportVerdict classify(FileFacts facts, ImportFact fact) {
        if (fact.future()) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.FutureImport());
        }
        if (fact.typeChecking()) {
            return new ImportVerdict.NotRuntime(fact);
        }
        if (fact.star()) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.StarImport());
        }
        if (!facts.dynamicAccess().isEmpty()) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.DynamicNameAccess(facts.dynamicAccess().getFirst()));
        }
        if (fact.enclosing().contains(ImportFact.Context.TRY)) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.InsideTry(fact.tryHandlers()));
        }
        Optional<ImportFact.Context> block = fact.enclosing().stream()
                .filter(c -> c == ImportFact.Context.WITH || c == ImportFact.Context.LOOP).findFirst();
        if (block.isPresent()) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.InsideBlock(block.get()));
        }
        if (fact.mainBlock()) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.InMainBlock());
        }
        if (fact.sideEffect()) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.SideEffectModule(
                    fact.kind() == ImportFact.Kind.FROM ? fact.module() + "." + fact.name() : fact.module()));
        }
        if (fact.ownEffect() != null) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.OwnModuleWithEffects(fact.ownEffect()));
        }
        Optional<UnusedImport> unused = facts.unused().stream()
                .filter(u -> u.bound().equals(fact.bound()) && u.line() == fact.span().line()).findFirst();
        if (unused.isPresent() && unused.get().kept() == UnusedImport.Kept.NOQA) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.KeptOnPurpose());
        }
        Optional<SysPathChange> pathChange = facts.sysPathChanges().stream()
                .filter(c -> c.phase() == Use.Phase.IMPORT_TIME && c.line() < fact.span().line()).findFirst();
        if (pathChange.isPresent()) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.AfterSysPathChange(pathChange.get()));
        }
        if (unused.isPresent() && unused.get().removable()) {
            return new ImportVerdict.Unused(fact);
        }
        List<Use> uses = facts.usesOf(fact.bound());
        Optional<Use> atImport = uses.stream().filter(u -> u.phase() == Use.Phase.IMPORT_TIME).findFirst();
        if (atImport.isPresent()) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.UsedAtImportTime(atImport.get()));
        }
        Optional<Use> inMain = uses.stream().filter(u -> u.phase() == Use.Phase.MAIN).findFirst();
        if (inMain.isPresent()) {
            return new ImportVerdict.MustStayEager(fact, new EagerReason.UsedInMainBlock(inMain.get()));
        }
        return new ImportVerdict.Deferrable(fact, notes(fact, unused));
    }

    private static List<String> notes(ImportFact fact, Optional<UnusedImport> unused) {
        List<String> notes = new ArrayList<>();
        if (fact.kind() == ImportFact.Kind.IMPORT && fact.alias() == null && fact.module().contains(".")) {
            notes.add("`import %s` binds `%s` and must still load `%s` and set it as an attribute (rule 3)"
                    .formatted(fact.module(), fact.bound(), fact.module()));
        }
        if (fact.kind() == ImportFact.Kind.FROM) {
            notes.add(("`from %s import %s` can be lazy with LazyLoader only if `%s` is a submodule; "
                    + "PEP 810 `lazy from` handles both (rule 4)").formatted(fact.module(), fact.name(), fact.name()));
        }
        if (fact.enclosing().contains(ImportFact.Context.IF)) {
            notes.add("it is conditional: the deferred form must keep the condition");
        }
        unused.map(UnusedImport::kept).filter(Objects::nonNull).ifPresent(kept -> notes.add(switch (kept) {
            case EXPORTED -> "it is only re-exported: the module-level binding must stay (rule 2)";
            case STRING_ANNOTATION -> "it is only named in string annotations: keep the module-level binding for get_type_hints";
            case GETATTR -> "it is only read by the module's __getattr__";
            case NOQA, SIDE_EFFECT -> "it is kept on purpose";
        }));
        return notes;
    }

    /** A statement binding several names where only some can be deferred must be split: say so on the deferrable ones. */
    private static List<ImportVerdict> noteSharedStatements(List<ImportVerdict> verdicts) {
        Map<ImportFact.Span, List<ImportVerdict>> byStatement = new LinkedHashMap<>();
        for (ImportVerdict verdict : verdicts) {
            byStatement.computeIfAbsent(verdict.fact().span(), s -> new ArrayList<>()).add(verdict);
        }
        List<ImportVerdict> result = new ArrayList<>(verdicts.size());
        for (ImportVerdict verdict : verdicts) {
            List<ImportVerdict> statement = byStatement.get(verdict.fact().span());
            if (verdict instanceof ImportVerdict.Deferrable deferrable && statement.size() > 1) {
                List<String> staying = statement.stream()
                        .filter(v -> !(v instanceof ImportVerdict.Deferrable))
                        .map(v -> v.fact().bound()).toList();
                if (!staying.isEmpty()) {
                    List<String> notes = new ArrayList<>(deferrable.notes());
                    notes.add("it shares its statement with %s, which stays: split the statement".formatted(String.join(", ", staying)));
                    result.add(new ImportVerdict.Deferrable(deferrable.fact(), notes));
                    continue;
                }
            }
            result.add(verdict);
        }
        return result;
    }
}
