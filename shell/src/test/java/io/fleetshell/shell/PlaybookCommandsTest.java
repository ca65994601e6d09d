package io.fleetshell.shell;

import io.fleetshell.shell.cli.FleetCompleter;
import org.jline.reader.Candidate;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** playbook run|check|list|runs|show through the real shell, one-shot as cron runs it, on a real fleet. */
class PlaybookCommandsTest {

    @TempDir
    Path home;
    @TempDir
    Path fleetDir;

    private final JsonMapper json = JsonMapper.builder().build();
    private ShellHarness shell;

    @BeforeEach
    void fleet() {
        shell = new ShellHarness(home);
        TestFleet fleet = new TestFleet(fleetDir);
        assertThat(shell.oneShot("inventory", "load", fleet.mainpc().toString(), fleet.pc2().toString()).status()).isZero();
    }

    private Path playbook(String name, String source) {
        try {
            Path file = home.resolve("playbooks").resolve(name);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aRunProfilesThroughTheProfilerPrintsItsOutputAndIsJournaled() {
        playbook("measure.js", """
                // Profiles one machine's agents once and prints their load times.
                // @param machine=pc2 the machine to measure
                const agents = fleet.inventory({machine: fleet.params.machine, infrastructure: false});
                const results = fleet.profile(agents, {runs: 1});
                for (const r of results) fleet.log(r.agent, r.loaded ? 'loaded' : r.error, 'v' + r.baselineVersion);
                """);
        ShellHarness.Run run = shell.oneShot("playbook", "run", "measure", "--json");
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode summary = json.readTree(run.out());
        assertThat(summary.get("outcome").asString()).isEqualTo("completed");
        assertThat(summary.get("exit_status").asInt()).isZero();
        assertThat(summary.get("params").get("machine").asString()).isEqualTo("pc2");
        assertThat(summary.get("journal").findValuesAsString("kind")).containsExactly("read", "action", "log", "log", "end");
        assertThat(summary.propertyNames()).containsExactly("run", "playbook", "sha256", "mode", "params", "outcome", "exit_status",
                "message", "took_ms", "journal");
        assertThat(summary.get("journal").get(0).propertyNames()).containsExactly("at", "kind", "line", "text", "data");
        // Script output is data, but --json keeps stdout for the summary: it went to stderr.
        assertThat(run.err()).contains("pc2/TranslationService loaded v1", "pc2/TutorAgent loaded v1",
                "[measure.js:4] profile 2 agents, 1 run each");

        ShellHarness.Run baselines = shell.oneShot("baseline", "list", "--json");
        assertThat(json.readTree(baselines.out()).get("baselines").findValuesAsString("agent"))
                .containsExactly("pc2/TranslationService", "pc2/TutorAgent");

        long id = summary.get("run").asLong();
        ShellHarness.Run show = shell.oneShot("playbook", "show", String.valueOf(id));
        assertThat(show.status()).isZero();
        assertThat(show.out()).contains("measure.js (run)", "profile 2 agents, 1 run each", "pc2/TutorAgent loaded v1",
                "completed: completed in");
        assertThat(shell.oneShot("explain", "playbook:" + id).out()).isEqualTo(show.out());
        assertThat(shell.oneShot("history", "--json").out()).contains("\"playbook run\"", "playbook measure.js run " + id + ": completed");
        assertThat(shell.oneShot("playbook", "runs").out()).contains("measure.js", "completed in");
        List<String> runFields = List.of("run", "playbook", "sha256", "mode", "params", "deployment", "started_at", "finished_at",
                "outcome", "exit_status", "message", "pid", "host");
        assertThat(json.readTree(shell.oneShot("playbook", "runs", "--json").out()).get("runs").get(0).propertyNames())
                .containsExactlyElementsOf(runFields);
        JsonNode shown = json.readTree(shell.oneShot("playbook", "show", String.valueOf(id), "--json").out());
        assertThat(shown.propertyNames()).containsExactlyElementsOf(Stream.concat(runFields.stream(), Stream.of("journal")).toList());
        assertThat(shown.get("run").asLong()).isEqualTo(id);
    }

    /** Regression: planning a Python pattern over a fleet with Java agents threw a NullPointerException (no Python facts). */
    @Test
    void aPlanSkipsTheAgentsOfTheOtherLanguageWithTheReason(@TempDir Path demoHome) {
        ShellHarness demo = new ShellHarness(demoHome);
        assertThat(demo.oneShot("demo", "init").status()).isZero();
        Path file = demoHome.resolve("playbooks/plan.js");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, """
                    const plan = fleet.plan(fleet.inventory({machine: 'pc2', infrastructure: false}), {pattern: 'lazy_loading'});
                    plan.skipped.forEach(s => fleet.log('skipped', s.agent, s.reason));
                    fleet.log('planned', plan.steps.length);
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ShellHarness.Run run = demo.oneShot("playbook", "run", "plan", "--dry-run");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out() + run.err())
                .contains("skipped pc2/RouteMatcherAgent lazy_loading is a pattern for Python agents; RouteMatcherAgent is a java agent")
                .containsPattern("planned [1-9]");
    }

    @Test
    void exitStatusesTellCronWhatHappened() {
        playbook("ok.js", "fleet.log('fine');\n");
        playbook("stops.js", "// @param threshold=0.9\nfleet.stop('health 0.5 is below ' + fleet.params.threshold);\n");
        playbook("broken.js", "fleet.log('a');\nif (true {\n");
        playbook("typo.js", "fleet.log('a');\nfleet.inventroy();\n");

        ShellHarness.Run ok = shell.oneShot("playbook", "run", "ok");
        assertThat(ok.status()).isZero();
        assertThat(ok.out()).isEqualTo("fine\n");

        ShellHarness.Run stopped = shell.oneShot("playbook", "run", "stops.js", "--param", "threshold=0.75");
        assertThat(stopped.status()).isEqualTo(1);
        assertThat(stopped.err()).contains("error: stops.js:2: stopped by the playbook: health 0.5 is below 0.75 (run ");

        ShellHarness.Run syntax = shell.oneShot("playbook", "run", "broken");
        assertThat(syntax.status()).isEqualTo(2);
        assertThat(syntax.err()).contains("error: broken.js:2:10: SyntaxError: ");
        assertThat(syntax.out()).isEmpty();

        ShellHarness.Run typo = shell.oneShot("playbook", "run", "typo");
        assertThat(typo.status()).isEqualTo(2);
        assertThat(typo.err()).contains("typo.js:2: fleet.inventroy is not part of the playbook API; did you mean fleet.inventory?");

        ShellHarness.Run badParam = shell.oneShot("playbook", "run", "stops", "--param", "treshold=1");
        assertThat(badParam.status()).isEqualTo(2);
        assertThat(badParam.err()).contains("stops.js has no parameter treshold; did you mean threshold?");
        assertThat(shell.oneShot("playbook", "run", "stops", "--param", "threshold").err())
                .contains("--param takes NAME=VALUE, e.g. --param size=5, not 'threshold'");
        assertThat(shell.oneShot("playbook", "run", "ok", "--timeout", "10").err())
                .contains("--timeout takes a duration with a unit, such as 90s, 10m or 1h, not '10'");
        ShellHarness.Run missing = shell.oneShot("playbook", "run", "stop");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("no playbook stop: no such file", "did you mean stops?");
    }

    @Test
    void aHostilePlaybookLeavesTheFleetAndTheHistoryUntouched() {
        Map<Path, String> before = snapshot(fleetDir);
        String config = fleetDir.resolve("main_pc_code/config/startup_config.yaml").toString();
        playbook("hostile.js", """
                fleet.log('trying');
                try { load('%s'); } catch (e) { fleet.warn('load: ' + e.message); }
                try { Java.type('java.lang.Runtime'); } catch (e) { fleet.warn('java: ' + e.message); }
                try { fleet.profile('NoSuchAgent'); } catch (e) { fleet.warn('profile: ' + e.message); }
                const words = Array.from({length: 20000}, (_, i) => 'w' + i);
                for (;;) { words.join(','); }
                """.formatted(config));
        // each statement of the loop takes a while (a 20,000-word join), so the timeout stops it, never the
        // statement limit: an empty loop on a warm JVM reaches 50M statements in under a second. 5 s leaves the
        // first four lines time to finish on a loaded machine, so their warnings are all printed.
        ShellHarness.Run run = shell.oneShot("playbook", "run", "hostile", "--timeout", "5s");
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("warning: load: Operation is not allowed for: " + config,
                "warning: java: Java is not defined",
                "warning: profile: fleet.profile: the agents: no agent NoSuchAgent in the inventory")
                // stopped in the loop, or while building its words where the machine is that slow
                .containsPattern("error: hostile\\.js:[56]: stopped: the playbook ran longer than its timeout of 5s");
        assertThat(snapshot(fleetDir)).isEqualTo(before);
        assertThat(shell.oneShot("baseline", "list", "--json").out()).contains("\"baselines\" : [ ]");
    }

    @Test
    void checkAndListDescribePlaybooksWithoutRunningThem() {
        playbook("canary.js", """
                // Deploys to one agent first.
                // @param size=5 agents per batch
                // @param pattern the pattern to roll out
                fleet.log(fleet.params.size, fleet.params.pattern);
                """);
        playbook("typo.js", "fleet.log(fleet.params.size);\n");
        ShellHarness.Run check = shell.oneShot("playbook", "check", "canary");
        assertThat(check.status()).isZero();
        assertThat(check.out()).contains("canary.js: ok", "uses: fleet.log, fleet.params",
                "parameters: size=5 (agents per batch), pattern (the pattern to roll out)");
        ShellHarness.Run bad = shell.oneShot("playbook", "check", "typo", "--json");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(json.readTree(bad.out()).get("problems").get(0).asString())
                .isEqualTo("typo.js:1: fleet.params.size is not declared; add a header line // @param size=DEFAULT description");

        ShellHarness.Run list = shell.oneShot("playbook", "list");
        assertThat(list.out()).contains("canary.js", "size=5 pattern", "Deploys to one agent first.", "typo.js");
        JsonNode checked = json.readTree(shell.oneShot("playbook", "check", "canary", "--json").out());
        assertThat(checked.propertyNames()).containsExactly("playbook", "ok", "description", "params", "uses", "problems");
        assertThat(checked.get("params").get(1).propertyNames()).containsExactly("name", "default", "required", "description");
        assertThat(checked.get("params").get(1).get("default").isNull()).isTrue();
        assertThat(checked.get("params").get(1).get("required").asBoolean()).isTrue();
        JsonNode library = json.readTree(shell.oneShot("playbook", "list", "--json").out());
        assertThat(library.propertyNames()).containsExactly("directories", "playbooks");
        assertThat(library.get("playbooks").get(0).propertyNames()).containsExactly("file", "description", "params", "error");
    }

    @Test
    void tabCompletesPlaybookNames() {
        playbook("canary.js", "fleet.log(1);\n");
        playbook("nightly-report.js", "fleet.log(1);\n");
        try (ConfigurableApplicationContext context = shell.context()) {
            FleetCompleter completer = context.getBean(FleetCompleter.class);
            List<Candidate> candidates = new ArrayList<>();
            String line = "playbook run ni";
            completer.complete(null, new DefaultParser().parse(line, line.length()), candidates);
            assertThat(candidates).extracting(Candidate::value).containsExactly("nightly-report");
            candidates.clear();
            completer.complete(null, new DefaultParser().parse("playbook ", 9), candidates);
            assertThat(candidates).extracting(Candidate::value).contains("run", "check", "list", "runs", "show");
        }
    }

    private static Map<Path, String> snapshot(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            Map<Path, String> sums = new TreeMap<>();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                sums.put(f, io.fleetshell.engine.Checksums.sha256(f) + " " + Files.getLastModifiedTime(f));
            }
            return sums;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
