package io.fleetshell.engine.python;

import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.ImportTiming;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.score.ScoreReport;
import io.fleetshell.engine.score.ScoreScale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Scores from the real facts helper and synthetic measurements, so every figure can be checked by hand. */
class PythonScorerTest {

    @TempDir
    Path dir;

    private static final String SOURCE = """
            import json
            import smtplib
            import decimal
            import csv

            CONTEXT = decimal.Context(prec=4)

            def export(rows):
                return json.dumps(rows), csv.excel
            """;

    private FileFacts facts(String source) throws IOException {
        Path file = dir.resolve("agent.py");
        Files.writeString(file, source);
        return new PythonFacts().analyze("python3", List.of(file), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES).getFirst();
    }

    private Agent agent(boolean infrastructure) {
        Path script = dir.resolve("agent.py");
        return new Agent(new AgentId("m", "Agent"), "g", "agent.py",
                new ScriptResolution(ScriptResolution.Status.FOUND, script, "at agent.py"), null, null, null, false,
                List.of(), Map.of(), null, infrastructure, dir.resolve("c.yaml"), 1);
    }

    /** Three samples of 100 ms loads: json 1 ms, smtplib 20 ms, decimal 30 ms, csv 40 ms (RSS 1, 2, 3, 4 MiB). */
    private AgentProfile profile() {
        ProfileTarget target = new ProfileTarget(new AgentId("m", "Agent"), dir.resolve("agent.py"), "python3", dir, Map.of());
        List<LoadSample> samples = List.of(1, 2, 3).stream().map(run -> new LoadSample(run, true, 100, 30_000, 50,
                List.of(new ImportTiming("json", 0, 1000, 1000), new ImportTiming("smtplib", 0, 20_000, 20_000),
                        new ImportTiming("decimal", 0, 30_000, 30_000), new ImportTiming("csv", 0, 40_000, 40_000)),
                List.of(new LoadSample.StatementCost("json", 1, 1, 1024), new LoadSample.StatementCost("smtplib", 2, 20, 2048),
                        new LoadSample.StatementCost("decimal", 3, 30, 3072), new LoadSample.StatementCost("csv", 4, 40, 4096)),
                "3.11.7", null)).toList();
        return new AgentProfile(target, samples);
    }

    @Test
    void measuredScoreAddsUpTheDeferrableAndUnusedCostsAndKeepsTrappedImportsEager() throws IOException {
        AgentScore score = PythonScorer.score(agent(false), facts(SOURCE), profile(), 3, null);

        assertThat(score.status()).isEqualTo(AgentScore.Status.OPTIMIZABLE);
        assertThat(score.baselineVersion()).isEqualTo(3);
        assertThat(score.loadMillis()).isEqualTo(100.0);
        assertThat(score.predictedGainMs()).isEqualTo(61.0); // json 1 + csv 40 deferred, smtplib 20 removed; decimal stays
        assertThat(score.statements()).extracting(AgentScore.StatementAssessment::line, AgentScore.StatementAssessment::verdict)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "deferrable"), org.assertj.core.groups.Tuple.tuple(2, "unused"),
                        org.assertj.core.groups.Tuple.tuple(3, "eager"), org.assertj.core.groups.Tuple.tuple(4, "deferrable"));
        assertThat(score.recommendations()).extracting(AgentScore.Recommendation::pattern, AgentScore.Recommendation::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("lazy_loading", "2 deferrable imports, 41.0 of 100.0 ms load"),
                        org.assertj.core.groups.Tuple.tuple("dependency_reduction", "1 unused import (import smtplib), 20.0 ms"));
        assertThat(score.reasons()).anySatisfy(r -> assertThat(r).contains("`import decimal` (line 3) must stay eager", "(30.0 ms kept at start-up)"));

        // impact: 2 * 0.61 + 2 * log(61/2)/log(500/2); heavy: 3 * log(40)/log(300); memory: 2 * 7 MiB / 50 MiB
        AgentScore.Factors f = score.factors();
        assertThat(f.startupImpact()).isEqualTo(ScoreScale.round(2 * 0.61 + 2 * Math.log(30.5) / Math.log(250)));
        assertThat(f.heavyDependencies()).isEqualTo(ScoreScale.round(3 * Math.log(40) / Math.log(300)));
        assertThat(f.memory()).isEqualTo(ScoreScale.round(2 * 7.0 / 50));
        assertThat(f.initComplexity()).isZero();
        assertThat(score.score()).isEqualTo(ScoreScale.round(f.total()));
        // Issue 16 item 12: risk counts what could break (one costly import kept eager by an import-time use), not the band.
        assertThat(score.risk()).isEqualTo(AgentScore.Risk.MEDIUM);
    }

    @Test
    void withoutABaselineOnlyStaticFactsCountAndTheReasonSaysSo() throws IOException {
        AgentScore score = PythonScorer.score(agent(false), facts(SOURCE), null, 0, null);
        assertThat(score.predictedGainMs()).isNull();
        assertThat(score.factors().heavyDependencies()).isZero();
        assertThat(score.factors().startupImpact()).isEqualTo(1.5); // 3 of 4 statements deferrable or unused
        assertThat(score.reasons().getFirst()).startsWith("no baseline: scored from static facts only; profile Agent");
    }

    @Test
    void agentsThatCannotBeRewrittenScoreZeroWithTheReason() throws IOException {
        assertThat(PythonScorer.score(agent(true), facts(SOURCE), profile(), 1, null).reasons())
                .containsExactly("infrastructure agent: never optimized");
        AgentScore broken = PythonScorer.score(agent(false), facts("x = 1\ndef f(:\n    pass\n"), null, 0, null);
        assertThat(broken.status()).isEqualTo(AgentScore.Status.NOT_OPTIMIZABLE);
        assertThat(broken.reasons().getFirst()).contains("agent.py:2: ", "(never modified)");

        ProfileTarget target = profile().target();
        AgentProfile failing = new AgentProfile(target, List.of(new LoadSample(1, false, 1, 1, 1, List.of(), List.of(), "3.11.7",
                new LoadSample.LoadError("ModuleNotFoundError", "No module named 'torch'", 4))));
        assertThat(PythonScorer.score(agent(false), facts(SOURCE), failing, 1, null).reasons().getFirst())
                .startsWith("fails to load: ModuleNotFoundError at line 4");
    }

    private static final String FROM_IMPORTS = """
            from decimal import Decimal
            from email import mime

            def parse(text):
                return Decimal(text), mime
            """;

    private AgentProfile fromImportsProfile(String python) {
        ProfileTarget target = new ProfileTarget(new AgentId("m", "Agent"), dir.resolve("agent.py"), "python3", dir, Map.of());
        return new AgentProfile(target, List.of(new LoadSample(1, true, 30, 20_000, 20,
                List.of(new ImportTiming("decimal", 0, 9_000, 9_000), new ImportTiming("email", 0, 500, 500),
                        new ImportTiming("email.mime", 0, 300, 300)),
                List.of(new LoadSample.StatementCost("decimal", 1, 9, 500), new LoadSample.StatementCost("email", 2, 0.8, 100)),
                python, null)));
    }

    /** Rule 4: LazyLoader cannot defer `from x import name` of an attribute; PEP 810's lazy from (3.15+) can. */
    @Test
    void fromImportsOfAttributesStayEagerBeforePython315() throws IOException {
        FileFacts facts = facts(FROM_IMPORTS);
        AgentScore on311 = PythonScorer.score(agent(false), facts, fromImportsProfile("3.11.7"), 1, null);
        assertThat(on311.statements()).extracting(AgentScore.StatementAssessment::line, AgentScore.StatementAssessment::verdict)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "eager"), org.assertj.core.groups.Tuple.tuple(2, "deferrable"));
        // Issue 16 item 10: the reason is lazy_loading's own, the one decision score and optimize share.
        assertThat(on311.statements().getFirst().reason())
                .contains("`Decimal` is not a submodule of `decimal`", "Python 3.15", "rule 4");
        assertThat(on311.predictedGainMs()).isEqualTo(0.8);

        AgentScore on315 = PythonScorer.score(agent(false), facts, fromImportsProfile("3.15.0"), 1, null);
        assertThat(on315.statements()).extracting(AgentScore.StatementAssessment::verdict).containsOnly("deferrable");
        assertThat(on315.predictedGainMs()).isEqualTo(9.8);

        AgentScore unmeasured = PythonScorer.score(agent(false), facts, null, 0, null);
        assertThat(unmeasured.statements()).extracting(AgentScore.StatementAssessment::verdict).containsOnly("eager");
        assertThat(unmeasured.statements().getFirst().reason()).contains("profile the agent to find out");
    }

    @Test
    void theReportOrderIsTotalAndBatchesTakeLowRiskFirst() {
        AgentScore a = fake("a", 5.0, AgentScore.Risk.HIGH);
        AgentScore b = fake("b", 3.0, AgentScore.Risk.LOW);
        AgentScore c = fake("c", 5.0, AgentScore.Risk.LOW);
        AgentScore d = fake("d", 9.0, AgentScore.Risk.MEDIUM);
        ScoreReport report = ScoreReport.of(List.of(a, b, c, d), 2);
        assertThat(report.agents()).extracting(s -> s.agent().name()).containsExactly("d", "a", "c", "b");
        assertThat(report.batches()).extracting(batch -> batch.stream().map(AgentId::name).toList())
                .containsExactly(List.of("c", "b"), List.of("d", "a"));
        assertThat(ScoreReport.of(List.of(d, c, b, a), 2)).isEqualTo(report);
    }

    private static AgentScore fake(String name, double score, AgentScore.Risk risk) {
        return new AgentScore(new AgentId("m", name), AgentScore.Status.OPTIMIZABLE, score, AgentScore.Band.of(score), risk,
                new AgentScore.Factors(score, 0, 0, 0), 10.0, 5.0, 1, List.of(), List.of(), List.of());
    }
}
