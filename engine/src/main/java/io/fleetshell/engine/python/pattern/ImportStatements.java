package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.analysis.ImportVerdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Module-level import statements with the verdicts of the names they bind: a statement such as
 * {@code import os, json} is one span with two verdicts, and a rewrite of part of it re-spells the rest.
 */
final class ImportStatements {

    /** One statement: its span and one verdict per name it binds, in source order. */
    record Statement(ImportFact.Span span, List<ImportVerdict> verdicts) {
    }

    private ImportStatements() {
    }

    static List<Statement> of(List<ImportVerdict> verdicts) {
        Map<ImportFact.Span, List<ImportVerdict>> bySpan = new LinkedHashMap<>();
        for (ImportVerdict verdict : verdicts) {
            bySpan.computeIfAbsent(verdict.fact().span(), s -> new ArrayList<>()).add(verdict);
        }
        return bySpan.entrySet().stream().map(e -> new Statement(e.getKey(), List.copyOf(e.getValue()))).toList();
    }

    /**
     * The statement that binds exactly these names, all from one statement: {@code import a, b as c} or
     * {@code from m import x, y as z} (relative modules keep their dots).
     */
    static String spell(List<ImportFact> facts) {
        ImportFact first = facts.getFirst();
        if (first.kind() == ImportFact.Kind.IMPORT) {
            return "import " + facts.stream().map(f -> f.module() + as(f)).collect(Collectors.joining(", "));
        }
        return "from " + first.module() + " import " + facts.stream().map(f -> f.name() + as(f)).collect(Collectors.joining(", "));
    }

    private static String as(ImportFact fact) {
        return fact.alias() == null ? "" : " as " + fact.alias();
    }
}
