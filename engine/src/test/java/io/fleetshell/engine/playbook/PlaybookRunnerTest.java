package io.fleetshell.engine.playbook;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Playbooks that use the API as documented: what they get back, what the journal keeps, how runs end. */
class PlaybookRunnerTest {

    @TempDir
    static Path dir;

    static DemoPort port;
    static PlaybookFixture fixture;

    @BeforeAll
    static void fleet() {
        port = new DemoPort(dir);
        fixture = new PlaybookFixture(port);
    }

    @Test
    void readsTheInventoryWithFiltersAndLogsAtItsLines() {
        PlaybookOutcome outcome = fixture.run("""
                const all = fleet.inventory();
                const pc2 = fleet.inventory({machine: 'pc2'});
                fleet.log('agents', all.length, 'on pc2', pc2.length);
                fleet.log(pc2.map(a => a.id).join(' '));
                console.log('infrastructure:', fleet.inventory({infrastructure: true}).map(a => a.name).sort().join(','));
                fleet.warn({first: pc2[0].name, machine: pc2[0].machine});""");
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Completed.class);
        assertThat(outcome.exitStatus()).isZero();
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly(
                "agents 17 on pc2 7",
                "pc2/AsyncProcessor pc2/CacheManager pc2/DreamWorldAgent pc2/RouteMatcherAgent pc2/RoutePlanner pc2/TranslationService pc2/UnifiedWebAgent",
                "infrastructure: ObservabilityHub,ServiceRegistry");
        assertThat(fixture.lines(JournalEntry.Kind.WARN)).containsExactly("{\"first\":\"AsyncProcessor\",\"machine\":\"pc2\"}");
        assertThat(fixture.journal).filteredOn(e -> e.kind() == JournalEntry.Kind.LOG).extracting(JournalEntry::line)
                .containsExactly(3, 4, 5);
        assertThat(fixture.journal.getLast().kind()).isEqualTo(JournalEntry.Kind.END);
        assertThat(fixture.journal.getLast().text()).startsWith("completed: completed in ");
    }

    @Test
    void scoresAgentsAndFiltersByBand() {
        PlaybookOutcome outcome = fixture.run("""
                const scores = fleet.score(['TutorAgent', 'pc2/AsyncProcessor']);
                for (const s of scores) fleet.log(s.agent, s.band, s.score >= 0 && s.score <= 10);
                const low = fleet.inventory({band: 'low', machine: 'mainpc'});
                fleet.log(low.every(a => a.machine === 'mainpc' && a.score < 4));""");
        assertThat(outcome).as(outcome.message()).isInstanceOf(PlaybookOutcome.Completed.class);
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).hasSize(3).last().isEqualTo("true");
        assertThat(fixture.lines(JournalEntry.Kind.LOG).getFirst()).matches("mainpc/TutorAgent (high|medium|low) true");
    }

    @Test
    void parametersArriveTypedFromTheHeader() {
        String source = """
                // Says hello.
                // @param size=5 agents per batch
                // @param name=world who to greet
                // @param loud=false shout
                fleet.log(typeof fleet.params.size, fleet.params.size + 1, fleet.params.name, fleet.params.loud === true);""";
        Playbook playbook = Playbook.of(Path.of("hello.js"), source);
        assertThat(playbook.description()).isEqualTo("Says hello.");
        assertThat(playbook.params()).extracting(PlaybookParam::name).containsExactly("size", "name", "loud");
        fixture.run(source, Map.of("size", "7", "loud", "true"), PlaybookFixture.TIGHT);
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly("number 8 world true");
    }

    @Test
    void badParametersAreRefusedBeforeAnythingRuns() {
        Playbook playbook = Playbook.of(Path.of("p.js"), "// @param size=5 agents per batch\n// @param pattern the pattern\nfleet.log(1);");
        assertThatThrownBy(() -> playbook.bind(Map.of("sise", "3", "pattern", "x")))
                .isInstanceOf(FleetshellException.class).hasMessage("p.js has no parameter sise; did you mean size? it takes size, pattern")
                .satisfies(e -> assertThat(((FleetshellException) e).code()).isEqualTo(ErrorCode.BAD_INPUT));
        assertThatThrownBy(() -> playbook.bind(Map.of("size", "many", "pattern", "x")))
                .hasMessage("p.js: parameter size takes a number (default 5), not 'many'");
        assertThatThrownBy(() -> playbook.bind(Map.of()))
                .hasMessage("p.js needs --param pattern=VALUE (the pattern)");
    }

    @Test
    void fleetStopEndsTheRunWithStatusOneEvenWhenTheScriptCatchesIt() {
        PlaybookOutcome outcome = fixture.run("""
                try {
                  fleet.stop('health below 0.9');
                } catch (e) {
                  fleet.log('caught', e.message);
                }
                fleet.log('after');""");
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Stopped.class);
        assertThat(outcome.exitStatus()).isEqualTo(1);
        assertThat(outcome.message()).isEqualTo("test.js:2: stopped by the playbook: health below 0.9");
        assertThat(fixture.lines(JournalEntry.Kind.DECISION)).containsExactly("stop: health below 0.9");
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly("caught stopped by the playbook: health below 0.9", "after");
    }

    @Test
    void aFleetErrorCanBeCaughtAndHandledByTheScript() {
        PlaybookOutcome outcome = fixture.run("""
                try {
                  fleet.inventory({machine: 'nowhere'});
                } catch (e) {
                  fleet.log(e.name + ': ' + e.message);
                }""");
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Completed.class);
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly(
                "FleetError: fleet.inventory: no machine 'nowhere'; the machines are mainpc, pc2");
    }

    @Test
    void syntaxAndRuntimeErrorsNameTheirLine() {
        PlaybookOutcome syntax = fixture.run("fleet.log('a');\nconst x = ;\n");
        assertThat(syntax).isInstanceOf(PlaybookOutcome.Failed.class);
        assertThat(syntax.message()).startsWith("test.js:2:11: SyntaxError: ");
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).isEmpty();

        PlaybookOutcome runtime = fixture.run("fleet.log('a');\nfunction f(o) {\n  return o.missing.field;\n}\nf({});");
        assertThat(runtime.message()).isEqualTo("test.js:3: TypeError: Cannot read property 'field' of undefined");
        assertThat(runtime.exitStatus()).isEqualTo(2);
    }

    @Test
    void checkListsEveryMisuseWithoutRunning() {
        Playbook playbook = Playbook.of(Path.of("c.js"), """
                // @param size=5
                // fleet.nothing in a comment is fine
                const s = 'fleet.nothing in a string too';
                fleet.deplyo([]);
                fleet.log(fleet.params.sise);
                fleet.log(fleet.params.size);""");
        PlaybookCheck check = PlaybookRunner.check(playbook);
        assertThat(check.problems()).containsExactly(
                "c.js:4: fleet.deplyo is not part of the playbook API; did you mean fleet.deploy?",
                "c.js:5: fleet.params.sise is not declared; add a header line // @param sise=DEFAULT description (declared: size)");
        assertThat(check.uses()).containsExactly("log", "params");
    }

    @Test
    void aDryRunDeployAsksThePoliciesBetweenBatchesAndWritesNothing() {
        PlaybookOutcome outcome = fixture.run("""
                const agents = fleet.inventory({machine: 'pc2'});
                const result = fleet.deploy(agents, {
                  pattern: 'lazy_loading',
                  batchSize: (index, history) => index === 0 ? 1 : 2,
                  shouldContinue: (batch) => batch.index < 1,
                });
                fleet.log(result.batches.map(b => b.agents.length).join(','), result.stopped);""", Map.of(),
                PlaybookFixture.TIGHT, true);
        assertThat(outcome).as(outcome.message()).isInstanceOf(PlaybookOutcome.Stopped.class);
        assertThat(outcome.message()).startsWith("test.js:2: the policy shouldContinue stopped the rollout after batch 2;");
        assertThat(fixture.lines(JournalEntry.Kind.DECISION)).containsExactly("batchSize(0) = 1",
                "shouldContinue(batch 1: planned) = true", "batchSize(1) = 2", "shouldContinue(batch 2: planned) = false");
        assertThat(fixture.lines(JournalEntry.Kind.ACTION)).hasSize(2).allMatch(a -> a.startsWith("dry run: batch "));
        assertThat(fixture.lines(JournalEntry.Kind.LOG)).containsExactly("1,2 true");
        assertThat(port.actions()).isEmpty();
    }

    @Test
    void aPolicyThatThrowsFailsAtItsOwnLine() {
        PlaybookOutcome outcome = fixture.run("""
                fleet.deploy(fleet.inventory({machine: 'pc2'}), {
                  pattern: 'lazy_loading',
                  batchSize: (index) => {
                    throw new Error('no size for ' + index);
                  },
                });""", Map.of(), PlaybookFixture.TIGHT, true);
        assertThat(outcome).isInstanceOf(PlaybookOutcome.Failed.class);
        assertThat(outcome.message()).isEqualTo("test.js:4: Error: no size for 0");
        assertThat(port.actions()).isEmpty();
    }

    /** Issue 17: NaN reached the host as null (JSON has no NaN) and became a default, or "returned nothing". */
    @Test
    void nonNumbersAndFractionsAreRefusedWithTheNameOfTheirOption() {
        assertThat(fixture.run("fleet.plan(fleet.inventory({machine: 'pc2'}), {pattern: 'lazy_loading', batchSize: NaN});")
                .message()).contains("fleet.plan: batchSize must be a whole number of agents, 1 or more, not the number NaN");
        assertThat(fixture.run("fleet.plan(fleet.inventory({machine: 'pc2'}), {pattern: 'lazy_loading', batchSize: 1.5});")
                .message()).contains("fleet.plan: batchSize must be a whole number of agents, 1 or more, not the number 1.5");
        assertThat(fixture.run("fleet.deploy(fleet.inventory({machine: 'pc2'}), {pattern: 'lazy_loading', proofRuns: NaN});",
                Map.of(), PlaybookFixture.TIGHT, true).message()).contains("proofRuns must be a whole number from", "not the number NaN");
        assertThat(fixture.run("fleet.deploy(fleet.inventory({machine: 'pc2'}), {pattern: 'lazy_loading', maxFail: NaN});",
                Map.of(), PlaybookFixture.TIGHT, true).message()).contains("maxFail must be a number from 0.0 to 100.0, not the number NaN");
        PlaybookOutcome policy = fixture.run("""
                fleet.deploy(fleet.inventory({machine: 'pc2'}), {
                  pattern: 'lazy_loading',
                  batchSize: () => NaN,
                });""", Map.of(), PlaybookFixture.TIGHT, true);
        assertThat(policy.message()).contains("policy batchSize(0, history) returned the number NaN; it must return a whole number");
        assertThat(port.actions()).isEmpty();
    }
}
