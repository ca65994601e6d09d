package io.fleetshell.engine.python;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.ImportTiming;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.python.pattern.DeferHeavyImports;
import io.fleetshell.engine.score.AgentScore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16 items 10 and 12, issue 18 item 6: score's numbers agree with each other and with optimize. Real facts from
 * the helper, synthetic measurements so that every figure is checked by hand.
 */
class ScoreNumbersTest {

    @TempDir
    Path dir;

    private FileFacts facts(String source) throws IOException {
        Path file = dir.resolve("agent.py");
        Files.writeString(file, source);
        return new PythonFacts().analyze("python3", List.of(file), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES).getFirst();
    }

    private Agent agent() {
        return new Agent(new AgentId("m", "Agent"), "g", "agent.py",
                new ScriptResolution(ScriptResolution.Status.FOUND, dir.resolve("agent.py"), "at agent.py"), null, null, null, false,
                List.of(), Map.of(), null, false, dir.resolve("c.yaml"), 1);
    }

    /** Samples whose statements' medians are given; the load's median is {@code loadMs}. */
    private AgentProfile profile(double loadMs, List<LoadSample.StatementCost> statements, List<ImportTiming> imports) {
        ProfileTarget target = new ProfileTarget(new AgentId("m", "Agent"), dir.resolve("agent.py"), "python3", dir, Map.of());
        return new AgentProfile(target, List.of(1, 2, 3).stream().map(run -> new LoadSample(run, true, loadMs, 30_000, 50, imports,
                statements, "3.11.7", null)).toList());
    }

    @Test
    void aNeverProfiledAgentSaysNotProfiledNotNothingToGain() throws IOException {
        AgentScore score = PythonScorer.score(agent(), facts("import os\nPATH = os.getcwd()\n"), null, 0, null);
        assertThat(score.status()).isEqualTo(AgentScore.Status.NOTHING_TO_GAIN);
        assertThat(score.reasons().getFirst()).isEqualTo("not profiled: run `profile Agent`; from static facts alone no import can be deferred or removed");
    }

    @Test
    void bandAndRiskAgreeAndRiskCountsWhatCouldBreakNotTheScore() throws IOException {
        // A low score with nothing that could break: low risk (it used to be "high" for every low-scoring agent).
        String source = "import json\n\ndef dump(x):\n    return json.dumps(x)\n";
        AgentScore quiet = PythonScorer.score(agent(), facts(source), profile(10, List.of(new LoadSample.StatementCost("json", 1, 3, 100)),
                List.of(new ImportTiming("json", 0, 3000, 3000))), 1, null);
        assertThat(quiet.band()).isEqualTo(AgentScore.Band.LOW);
        assertThat(quiet.risk()).isEqualTo(AgentScore.Risk.LOW);
        assertThat(quiet.bandLabel()).isEqualTo("low potential, low risk");
    }

    @Test
    void unusedImportsCountWhatTheyList() throws IOException {
        String source = "import os, sys\nimport re, json\n";
        AgentScore score = PythonScorer.score(agent(), facts(source), null, 0, null);
        assertThat(score.recommendations()).extracting(AgentScore.Recommendation::reason)
                .containsExactly("2 unused import statements, 4 names (import os, import sys, import re, import json)");
    }

    @Test
    void aPartIsNeverLargerThanTheWhole() throws IOException {
        String source = "import decimal\nimport csv\n\ndef f():\n    return decimal, csv\n";
        // Statement medians 200 + 135.4 = 335.4 ms against a load median of 332.8 ms, as seen on a real fleet.
        AgentScore score = PythonScorer.score(agent(), facts(source), profile(332.8, List.of(new LoadSample.StatementCost("decimal", 1, 200, 100),
                new LoadSample.StatementCost("csv", 2, 135.4, 100)), List.of(new ImportTiming("decimal", 0, 200_000, 200_000),
                new ImportTiming("csv", 0, 135_400, 135_400))), 1, null);
        assertThat(score.predictedGainMs()).isEqualTo(332.8);
        assertThat(score.recommendations().getFirst().reason()).isEqualTo("2 deferrable imports, 332.8 of 332.8 ms load");
    }

    @Test
    void anUnparseableAgentCarriesAStructuredError() throws IOException {
        AgentScore score = PythonScorer.score(agent(), facts("x = 1\ndef f(:\n    pass\n"), null, 0, null);
        assertThat(score.error()).isNotNull();
        assertThat(score.error().kind()).isEqualTo("syntax");
        assertThat(score.error().file()).isEqualTo(dir.resolve("agent.py").toString());
        assertThat(score.error().line()).isEqualTo(2);
        assertThat(score.error().column()).isNotNull();
        assertThat(score.error().message()).isNotBlank();
    }

    @Test
    void scoreAndOptimizeAgreeOnWhatCanBeDeferred() throws IOException {
        // The import inside a module-level if is nothing the analysis keeps eager, but lazy_loading defers top-level imports
        // only: score used to rank such an agent optimizable and optimize then said "nothing to defer".
        String source = "import sys\nif sys.platform:\n    import decimal\n\ndef parse(text):\n    return decimal.Decimal(text)\n";
        FileFacts facts = facts(source);
        AgentScore score = PythonScorer.score(agent(), facts, profile(30, List.of(new LoadSample.StatementCost("decimal", 3, 9, 500)),
                List.of(new ImportTiming("decimal", 0, 9000, 9000))), 1, null);
        List<DeferHeavyImports.NameDecision> pattern = new DeferHeavyImports().decisions(new PatternInput<>("Agent", dir.resolve("agent.py"),
                source.getBytes(), facts, "3.11.7", Map.of()));
        assertThat(pattern).filteredOn(d -> d.line() == 3).singleElement()
                .satisfies(d -> assertThat(d.keptBecause()).contains("inside a module-level if block"));
        assertThat(score.status()).isEqualTo(AgentScore.Status.NOTHING_TO_GAIN);
        assertThat(score.statements()).filteredOn(st -> st.line() == 3).singleElement()
                .satisfies(st -> assertThat(st.verdict()).isEqualTo("eager"))
                .satisfies(st -> assertThat(st.reason()).contains("inside a module-level if block"));
    }
}
