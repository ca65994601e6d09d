package io.fleetshell.engine.playbook;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile playbooks: each tries to get out of the sandbox, run forever, exhaust memory or misuse the
 * API, and must end with a clear message naming its line, having changed nothing.
 */
class PlaybookSandboxTest {

    @TempDir
    static Path dir;

    static DemoPort port;
    static PlaybookFixture fixture;

    @BeforeAll
    static void fleet() {
        port = new DemoPort(dir);
        fixture = new PlaybookFixture(port);
    }

    private static PlaybookOutcome hostile(String source) {
        port.calls.clear();
        PlaybookOutcome outcome = fixture.run(source);
        assertThat(port.actions()).as("nothing may reach the fleet").isEmpty();
        return outcome;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "read('/etc/passwd')",
            "load('/etc/passwd')",
            "require('fs').readFileSync('/etc/passwd')",
            "readFully('/etc/passwd')",
            "new FileReader('/etc/passwd')",
            "Java.type('java.nio.file.Files').readString(Java.type('java.nio.file.Path').of('/etc/passwd'))",
    })
    void cannotReadFiles(String attempt) {
        PlaybookOutcome outcome = hostile("fleet.log('start');\n" + attempt + ";\nfleet.log('end');");
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Failed.class);
        assertThat(outcome.message()).startsWith("test.js:2: ");
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly("start");
    }

    @Test
    void dynamicImportOfAFileIsRefused() {
        PlaybookOutcome outcome = hostile("""
                let failure = 'none';
                import('/etc/passwd').catch(e => { failure = String(e); });
                fleet.log('done');""");
        // A dynamic import only rejects its promise; the sandbox refuses the file all the same.
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Completed.class);
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly("done");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Java.type('java.lang.Runtime').getRuntime().exec('touch /tmp/pwned')",
            "Packages.java.lang.System.exit(3)",
            "java.lang.System.getenv()",
            "new java.lang.ProcessBuilder('id').start()",
            "Polyglot.eval('js', '1')",
            "Object.getPrototypeOf(fleet.inventory).constructor('return Java')().type('java.lang.System')",
            "quit()",
            "exit(0)",
            "process.env.HOME",
            "$ENV.HOME",
            "$EXEC('id')",
            "spawn('id')",
    })
    void cannotReachJavaProcessesOrTheEnvironment(String attempt) {
        PlaybookOutcome outcome = hostile("fleet.log('start');\n" + attempt + ";\nfleet.log('end');");
        assertThat(outcome).as(outcome.message()).isInstanceOf(PlaybookOutcome.Failed.class);
        assertThat(outcome.exitStatus()).isEqualTo(2);
        assertThat(outcome.message()).startsWith("test.js:2: ");
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly("start");
    }

    @Test
    void aMemberOutsideTheApiIsRefusedBeforeAnythingRuns() {
        PlaybookOutcome outcome = hostile("fleet.log('start');\nfleet.getClass().forName('java.lang.Runtime');");
        assertThat(outcome.message()).startsWith("test.js:2: fleet.getClass is not part of the playbook API")
                .endsWith("Nothing ran (playbook check test.js lists the problems).");
        assertThat(fixture.journal).extracting(JournalEntry::kind).containsExactly(JournalEntry.Kind.END);
    }

    @Test
    void theHostObjectBehindFleetIsOutOfReach() {
        PlaybookOutcome outcome = hostile("""
                const names = [];
                for (const k in globalThis) names.push(k);
                fleet.log(names.includes('host') || typeof host !== 'undefined' ? 'reachable' : 'hidden');
                fleet.log(Object.getOwnPropertyNames(fleet).includes('call') ? 'reachable' : 'hidden');""");
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Completed.class);
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly("hidden", "hidden");
    }

    @Test
    void anEndlessLoopStopsAtTheStatementLimitNamingItsLine() {
        PlaybookOutcome outcome = hostile("""
                fleet.log('start');
                let i = 0;
                while (true) {
                  i++;
                }""");
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Failed.class);
        assertThat(outcome.message()).startsWith("test.js:4: stopped after 2,000,000 JavaScript statements")
                .contains("an endless loop?"); // the statement limit stopped it, not the run's timeout
    }

    @Test
    void anEndlessLoopThatCatchesEverythingStillStopsAtTheTimeout() {
        PlaybookOutcome outcome = fixture.run("""
                let n = 0;
                for (;;) {
                  try { n++; } catch (e) { }
                }""", Map.of(), new PlaybookLimits(Duration.ofMillis(400), Long.MAX_VALUE, 64L << 20));
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Stopped.class);
        assertThat(outcome.exitStatus()).isEqualTo(1);
        assertThat(outcome.message()).matches("test\\.js:[23]: stopped: the playbook ran longer than its timeout of 400ms.*");
    }

    @Test
    void aLongSleepWakesAtTheTimeout() {
        PlaybookOutcome outcome = fixture.run("fleet.log('waiting');\nfleet.sleep('1h');\nfleet.log('never');",
                Map.of(), new PlaybookLimits(Duration.ofMillis(300), 1_000_000, 64L << 20));
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Stopped.class);
        assertThat(outcome.message()).startsWith("test.js:2: stopped: the playbook ran longer than its timeout of 300ms");
        assertThat(outcome.took()).isLessThan(Duration.ofMinutes(10)); // far from the hour it asked for, however busy the machine
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly("waiting");
    }

    @Test
    void unboundedAllocationStopsAtTheMemoryBudget() {
        PlaybookOutcome outcome = fixture.run("""
                const hoard = [];
                for (;;) {
                  hoard.push(new Array(100000).fill(1.5));
                }""", Map.of(), new PlaybookLimits(Duration.ofSeconds(60), Long.MAX_VALUE, 64L << 20));
        assertThat(outcome).as(outcome.message()).isInstanceOf(PlaybookOutcome.Failed.class);
        assertThat(outcome.message()).matches("test\\.js:[23]: stopped: the playbook held more than its memory budget of 64 MiB.*");
    }

    @Test
    void aStringDoubledForeverFailsAtItsLine() {
        PlaybookOutcome outcome = hostile("let s = 'x';\nfor (;;) {\n  s += s;\n}");
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Failed.class);
        assertThat(outcome.message()).startsWith("test.js:3: ");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "fleet.inventory(42)|fleet.inventory: the filter must be an object such as {machine: ...}, not the number 42",
            "fleet.inventory({machnie: 'pc2'})|fleet.inventory: the filter has no key 'machnie'; did you mean machine?",
            "fleet.inventory({machine: 'pc3'})|fleet.inventory: no machine 'pc3'; the machines are mainpc, pc2",
            "fleet.inventory({band: 'great'})|fleet.inventory: no band 'great'; the bands are high, medium, low",
            "fleet.inventory({}, {})|fleet.inventory: takes at most 1, got 2",
            "fleet.profile()|fleet.profile: the agents is missing",
            "fleet.profile('TutorAgnt')|fleet.profile: the agents: no agent TutorAgnt in the inventory; did you mean TutorAgent?",
            "fleet.profile(['TutorAgent'], {runs: 0})|fleet.profile: runs must be a whole number from 1 to 100, not the number 0",
            "fleet.profile([42])|fleet.profile: the agents must name agents",
            "fleet.sleep(5)|fleet.sleep: the duration must be a duration such as '30s', '5m' or '250ms', not the number 5",
            "fleet.sleep('soon')|fleet.sleep: the duration must be a duration such as '30s', '5m' or '250ms', not 'soon'",
            "fleet.score(() => 1)|fleet.score: argument 1 is a function",
            "const o = {}; o.self = o; fleet.inventory(o)|fleet.inventory: arguments must be plain data",
            "fleet.stop()|fleet.stop: the reason must be a non-empty string",
            "fleet.params['si' + 'ze'] = 3|fleet.params is read-only",
            "fleet.params['x' + 'y']|fleet.params.xy does not exist",
            "fleet.deploy(['TutorAgent'], {pattern: 'lazy_loading', batchSize: 'all'})|fleet.deploy: --batch-size 'all' is not valid",
            "fleet.deploy(['TutorAgent'], {patern: 'lazy_loading'})|fleet.deploy: the options has no key 'patern'; did you mean pattern?",
            "fleet.deploy(['TutorAgent'], {pattern: 'lazy_loading', onFail: 'panic'})|fleet.deploy: --on-fail 'panic' is not one of",
            "fleet.deploy(['TutorAgent'], {pattern: 'fast'})|no pattern named fast",
            "fleet.deploy(['TutorAgent'], (i) => 1)|fleet.deploy: argument 2 is a function",
            "fleet.metrics(['TutorAgent', 'DreamWorldAgent'])|fleet.metrics: the agent must be one agent, not 2",
            "fleet.rollback('yesterday')|fleet.rollback: the deployment must be a deployment id",
    })
    void theApiCalledWithBadArgumentsSaysWhatIsWrongAtTheLine(String call, String expected) {
        PlaybookOutcome outcome = hostile("'use strict';\n" + call + ";\nfleet.log('after');");
        assertThat(outcome.message()).startsWith("test.js:2: ").contains(expected);
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).isEmpty();
        assertThat(outcome.exitStatus()).isEqualTo(2);
    }
}
