package io.fleetshell.engine.python.analysis;

import java.util.List;

/**
 * Why a module-level import must stay eager. The rule numbers refer to LAZY_IMPORTS.md.
 */
public sealed interface EagerReason {

    /** Half a sentence, to follow "must stay eager: ". */
    String explain();

    /** Rule 1: code that runs while the module body runs reads the name. */
    record UsedAtImportTime(Use use) implements EagerReason {
        @Override
        public String explain() {
            return "line %d uses it while the module loads (%s), rule 1".formatted(use.line(), use.via());
        }
    }

    /** Rule 1: the {@code __main__} block (or code it calls) reads it, which is start-up when the agent runs as a script. */
    record UsedInMainBlock(Use use) implements EagerReason {
        @Override
        public String explain() {
            return "line %d uses it at start-up of the script (%s), rule 1".formatted(use.line(), use.via());
        }
    }

    /** Rule 5: an ImportError fallback or other handling depends on the import happening right there. */
    record InsideTry(List<String> handlers) implements EagerReason {
        public InsideTry {
            handlers = handlers == null ? List.of() : List.copyOf(handlers);
        }

        @Override
        public String explain() {
            return handlers.isEmpty() ? "it is inside a try statement, rule 5"
                    : "it is inside a try statement handling " + String.join(", ", handlers) + ", rule 5";
        }
    }

    /** A with or loop block at module level: the context manager or loop is part of what the import does. */
    record InsideBlock(ImportFact.Context context) implements EagerReason {
        @Override
        public String explain() {
            return "it is inside a module-level " + context + " block, whose effect on the import a deferral would lose";
        }
    }

    /** The import itself sits in the {@code __main__} block: it runs only when the agent is a script, as start-up. */
    record InMainBlock() implements EagerReason {
        @Override
        public String explain() {
            return "it is in the `if __name__ == \"__main__\":` block, which is start-up work of the script";
        }
    }

    /** Rule 5: star imports bind names nobody can list statically. */
    record StarImport() implements EagerReason {
        @Override
        public String explain() {
            return "star imports cannot be deferred, rule 5";
        }
    }

    /** Rule 5: {@code __future__} imports are compiler directives. */
    record FutureImport() implements EagerReason {
        @Override
        public String explain() {
            return "`__future__` imports are compiler directives, rule 5";
        }
    }

    /** Rule 5: the module is imported for its side effects (configured side-effect modules). */
    record SideEffectModule(String module) implements EagerReason {
        @Override
        public String explain() {
            return "`%s` is imported for its side effects, rule 5".formatted(module);
        }
    }

    /** Unused but marked noqa: someone said it is imported on purpose, almost always for a side effect. */
    record KeptOnPurpose() implements EagerReason {
        @Override
        public String explain() {
            return "it is never read but marked `# noqa`, so it is imported on purpose (side effects), rule 5";
        }
    }

    /** Rule 5: a module-level {@code sys.path} change before it decides where the module is found. */
    record AfterSysPathChange(SysPathChange change) implements EagerReason {
        @Override
        public String explain() {
            return "it follows the import-path change `%s` on line %d, rule 5".formatted(change.change(), change.line());
        }
    }

    /** Issue 17: the module is of the fleet's own code and loading it does more than define names (registration, ...). */
    record OwnModuleWithEffects(ImportFact.OwnEffect effect) implements EagerReason {
        @Override
        public String explain() {
            String file = effect.file().substring(effect.file().lastIndexOf('/') + 1);
            return "`%s` is the fleet's own code and loading it does more than define names (%s:%d: %s), rule 5"
                    .formatted(effect.module(), file, effect.line(), effect.what());
        }
    }

    /** Issue 17: the file reads names by computed names, so no import can be shown unread. */
    record DynamicNameAccess(FileFacts.DynamicAccess access) implements EagerReason {
        @Override
        public String explain() {
            return "the module reads names computed at run time (%s on line %d), so every import stays"
                    .formatted(access.what(), access.line());
        }
    }
}
