package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.python.analysis.DeferrableImports;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.analysis.ImportVerdict;
import io.fleetshell.engine.python.analysis.UnusedImport;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code dependency_reduction}: removes module-level imports whose names nothing reads. An import stays
 * when the name is re-exported in {@code __all__}, named in a string annotation or read by the module's
 * {@code __getattr__}, when it is marked {@code # noqa}, is a side-effect module, or sits in a try
 * statement, a with or loop block, the {@code __main__} block or after a {@code sys.path} change
 * (the rules of {@link DeferrableImports}). A statement left empty goes with its line (and its trailing
 * comment); one that shares its line with other code, or is a block's only statement, becomes {@code pass}.
 */
public final class RemoveUnusedImports implements Pattern<FileFacts> {

    public static final String ID = "dependency_reduction";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Remove unused imports";
    }

    @Override
    public String description() {
        return "Removes module-level imports whose names nothing in the file reads, so their modules are never loaded. "
                + "Imports re-exported in __all__, named in string annotations or read by __getattr__, marked # noqa, "
                + "of side-effect modules, inside try or after a sys.path change stay, each with the reason. What still "
                + "changes: another module that reads the name from this one (from agent import json) no longer finds it, "
                + "and what the removed module did on import (if anything) no longer happens.";
    }

    @Override
    public Applicability validate(PatternInput<FileFacts> input) {
        Optional<Applicability> refused = Preconditions.refusal(input, "dependency_reduction", null);
        if (refused.isPresent()) {
            return refused.get();
        }
        FileFacts facts = input.facts();
        List<String> reasons = explain(facts, ImporterReads.of(input.options()));
        if (reasons.stream().noneMatch(r -> r.startsWith("removed"))) {
            List<String> all = new ArrayList<>(reasons);
            all.addFirst("nothing to remove: every module-level import is used or kept on purpose");
            return new Applicability.DoesNotApply(all);
        }
        return new Applicability.Applies(reasons);
    }

    @Override
    public Rewrite rewrite(PatternInput<FileFacts> input) {
        Applicability applicability = validate(input);
        if (!applicability.applies()) {
            return Rewrite.unchanged(ID, input.file(), input.source(), applicability.reasons());
        }
        TextEdits edits = new TextEdits(input.source());
        ImporterReads importers = ImporterReads.of(input.options());
        for (ImportStatements.Statement statement : ImportStatements.of(DeferrableImports.classify(input.facts()))) {
            List<ImportFact> kept = statement.verdicts().stream()
                    .filter(v -> !removes(v, importers)).map(ImportVerdict::fact).toList();
            if (kept.size() == statement.verdicts().size()) {
                continue;
            }
            ImportFact first = statement.verdicts().getFirst().fact();
            if (!kept.isEmpty()) {
                edits.replaceImport(statement.span(), ImportStatements.spell(kept));
                continue;
            }
            int start = edits.start(statement.span());
            int end = edits.end(statement.span());
            String before = edits.startOfLine(start);
            String after = edits.restOfLine(end).strip();
            boolean ownLine = before.isBlank() && (after.isEmpty() || after.startsWith("#"));
            if (ownLine && first.enclosing().isEmpty()) {
                edits.replace(start - before.length(), edits.nextLineStart(end), "");
            } else {
                edits.replaceImport(statement.span(), "pass");
            }
        }
        List<String> notes = new ArrayList<>(explain(input.facts(), importers));
        notes.add("Still changes: another module reading a removed name from this one (`from agent import json`) no longer finds it.");
        return new Rewrite(ID, input.file(), input.source(), edits.apply(), notes);
    }

    /** The module-level names the rewrite removes on purpose (the proof expects exactly these to be gone). */
    public List<String> removedNames(PatternInput<FileFacts> input) {
        if (!input.facts().parsed()) {
            return List.of();
        }
        ImporterReads importers = ImporterReads.of(input.options());
        return DeferrableImports.classify(input.facts()).stream().filter(v -> removes(v, importers))
                .map(v -> v.fact().bound()).distinct().toList();
    }

    /** An unused import goes unless a module importing this one can read it through this one (a shared module's importers). */
    private static boolean removes(ImportVerdict verdict, ImporterReads importers) {
        return verdict instanceof ImportVerdict.Unused && importers.keepsImported(verdict.fact().bound()) == null;
    }

    private static List<String> explain(FileFacts facts, ImporterReads importers) {
        List<String> reasons = new ArrayList<>();
        for (ImportVerdict verdict : DeferrableImports.classify(facts)) {
            ImportFact fact = verdict.fact();
            if (verdict instanceof ImportVerdict.Unused && !removes(verdict, importers)) {
                reasons.add("kept although unused: `%s` (line %d): %s".formatted(fact.text(), fact.span().line(),
                        importers.keepsImported(fact.bound())));
                continue;
            }
            if (verdict instanceof ImportVerdict.Unused) {
                reasons.add("removed: `%s` (line %d): nothing reads `%s`".formatted(fact.text(), fact.span().line(), fact.bound()));
                continue;
            }
            Optional<UnusedImport> unused = facts.unused().stream()
                    .filter(u -> u.bound().equals(fact.bound()) && u.line() == fact.span().line()).findFirst();
            if (unused.isPresent()) {
                String why = verdict instanceof ImportVerdict.MustStayEager eager ? eager.reason().explain()
                        : switch (unused.get().kept()) {
                            case EXPORTED -> "it is re-exported in `__all__`";
                            case STRING_ANNOTATION -> "it is named in a string annotation (typing.get_type_hints needs it)";
                            case GETATTR -> "the module's `__getattr__` reads it";
                            case NOQA -> "it is marked `# noqa`";
                            case SIDE_EFFECT -> "it is imported for its side effects";
                            case null -> "it is not removable here";
                        };
                reasons.add("kept although unused: `%s` (line %d): %s".formatted(fact.text(), fact.span().line(), why));
            }
        }
        return reasons;
    }
}
