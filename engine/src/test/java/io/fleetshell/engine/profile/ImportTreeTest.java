package io.fleetshell.engine.profile;

import io.fleetshell.engine.inventory.AgentId;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ImportTreeTest {

    private static final LoadSample SAMPLE = new LoadSample(1, true, 50, 20_000, 40,
            List.of(new ImportTiming("_json", 1, 300, 300), new ImportTiming("json", 0, 500, 800),
                    new ImportTiming("email", 0, 200, 200), new ImportTiming("email.mime", 0, 100, 100),
                    new ImportTiming("asyncio", 0, 1_000, 30_000)),
            List.of(new LoadSample.StatementCost("json", 1, 0.9, 10), new LoadSample.StatementCost("email", 2, 0.4, 20),
                    new LoadSample.StatementCost("asyncio", 3, 31, 8_000)),
            "3.11.7", null);

    @Test
    void childrenGoUnderTheParentPrintedAfterThem() {
        List<ImportTree.Node> roots = ImportTree.roots(SAMPLE.imports());
        assertThat(roots).extracting(ImportTree.Node::module).containsExactly("json", "email", "email.mime", "asyncio");
        assertThat(roots.getFirst().children()).extracting(ImportTree.Node::module).containsExactly("_json");
    }

    @Test
    void topLevelModulesBelongToTheStatementThatRanThem() {
        Map<Integer, List<ImportTree.Node>> byLine = ImportTree.byStatement(SAMPLE);
        assertThat(byLine.get(1)).extracting(ImportTree.Node::module).containsExactly("json");
        assertThat(byLine.get(2)).extracting(ImportTree.Node::module).containsExactly("email", "email.mime");
        assertThat(byLine.get(3)).extracting(ImportTree.Node::module).containsExactly("asyncio");

        AgentProfile profile = new AgentProfile(new ProfileTarget(new AgentId("m", "a"), Path.of("/a.py"), "python3", Path.of("/"), Map.of()),
                List.of(SAMPLE));
        assertThat(profile.statements()).extracting(AgentProfile.StatementMedian::line, AgentProfile.StatementMedian::importTimeCumulativeMillis,
                        AgentProfile.StatementMedian::importTimeSelfMillis)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 0.8, 0.5), org.assertj.core.groups.Tuple.tuple(2, 0.3, 0.3),
                        org.assertj.core.groups.Tuple.tuple(3, 30.0, 1.0));
    }
}
