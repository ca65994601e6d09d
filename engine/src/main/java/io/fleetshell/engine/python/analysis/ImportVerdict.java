package io.fleetshell.engine.python.analysis;

import java.util.List;

/**
 * What may be done with one name bound by a module-level import, decided by {@link DeferrableImports}.
 * Each verdict carries the import fact it is about and explains itself in one sentence.
 */
public sealed interface ImportVerdict {

    ImportFact fact();

    /** One sentence for the user, naming the rule. */
    String explain();

    /**
     * Nothing evaluated while the module body runs needs the name: the import can be deferred,
     * keeping a module-level binding (LAZY_IMPORTS.md rules 1 and 2).
     *
     * @param notes what the rewrite must take care of (a shared statement to split, {@code import a.b.c} semantics, ...)
     */
    record Deferrable(ImportFact fact, List<String> notes) implements ImportVerdict {
        public Deferrable {
            notes = List.copyOf(notes);
        }

        @Override
        public String explain() {
            String base = "`%s` (line %d) can be deferred: nothing that runs while the module loads uses it"
                    .formatted(fact.text(), fact.span().line());
            return notes.isEmpty() ? base + "." : base + "; " + String.join("; ", notes) + ".";
        }
    }

    /** The import has to stay where it is, for the reason given. */
    record MustStayEager(ImportFact fact, EagerReason reason) implements ImportVerdict {
        @Override
        public String explain() {
            return "`%s` (line %d) must stay eager: %s.".formatted(fact.text(), fact.span().line(), reason.explain());
        }
    }

    /** Inside {@code if TYPE_CHECKING:}: the import never runs, so there is nothing to defer. */
    record NotRuntime(ImportFact fact) implements ImportVerdict {
        @Override
        public String explain() {
            return "`%s` (line %d) is inside `if TYPE_CHECKING:` and never runs.".formatted(fact.text(), fact.span().line());
        }
    }

    /** Nobody reads the name and nothing keeps it: removing it is dependency reduction's job, not deferral's. */
    record Unused(ImportFact fact) implements ImportVerdict {
        @Override
        public String explain() {
            return "`%s` (line %d) is never used; remove it rather than defer it.".formatted(fact.text(), fact.span().line());
        }
    }
}
