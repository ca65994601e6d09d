package io.fleetshell.engine.playbook;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs playbook text against a port and keeps the journal, for tests. */
final class PlaybookFixture {

    /** Tight limits so hostile playbooks end in well under a second. */
    static final PlaybookLimits TIGHT = new PlaybookLimits(Duration.ofSeconds(20), 2_000_000, 64L << 20);

    final List<JournalEntry> journal = new ArrayList<>();
    private final FleetPort port;

    PlaybookFixture(FleetPort port) {
        this.port = port;
    }

    PlaybookOutcome run(String source) {
        return run(source, Map.of(), TIGHT);
    }

    PlaybookOutcome run(String source, Map<String, String> params, PlaybookLimits limits) {
        return run(source, params, limits, false);
    }

    PlaybookOutcome run(String source, Map<String, String> params, PlaybookLimits limits, boolean dryRun) {
        journal.clear();
        Playbook playbook = Playbook.of(Path.of("test.js"), source);
        return new PlaybookRunner(port, journal::add).run(playbook, playbook.bind(params), dryRun ? RunMode.DRY_RUN : RunMode.RUN, limits);
    }

    List<String> lines(JournalEntry.Kind kind) {
        return journal.stream().filter(e -> e.kind() == kind).map(JournalEntry::text).toList();
    }
}
