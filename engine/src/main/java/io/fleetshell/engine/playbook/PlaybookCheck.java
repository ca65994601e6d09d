package io.fleetshell.engine.playbook;

import java.util.List;

/**
 * What {@code playbook check} found: the playbook parses (or the syntax error), the API members it
 * uses, and every misuse found without running it, each at its line.
 *
 * @param uses     the {@code fleet} members it uses, sorted
 * @param problems {@code file:line: message}, empty when the playbook is fine
 */
public record PlaybookCheck(Playbook playbook, List<String> uses, List<String> problems) {

    public PlaybookCheck {
        uses = uses.stream().sorted().toList();
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
