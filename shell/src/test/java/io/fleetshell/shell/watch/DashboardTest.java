package io.fleetshell.shell.watch;

import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.inventory.AgentId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DashboardTest {

    private static final Thresholds T = Thresholds.defaults();

    private static WatchModel.Row up(String name, double p95, Change change) {
        return new WatchModel.Row(new AgentId("mainpc", name), WatchModel.Status.UP, "", 1.25, p95, List.of(0.010, 0.012, p95), 40, 0.0,
                change, change != null && change.verdict() == Change.Verdict.REGRESSED ? List.of("p95 12% slower than its baseline (v1)") : List.of());
    }

    private static WatchModel model(List<WatchModel.Row> rows) {
        return new WatchModel(Instant.parse("2026-11-24T03:00:00Z"), 3, Duration.ofSeconds(2), "the agents' /metrics endpoints",
                Duration.ofMillis(38), Duration.ofMillis(25), rows, T);
    }

    private static List<WatchModel.Row> rows() {
        return List.of(
                up("TutorAgent", 0.0095, new Change(42, Change.Verdict.TARGET, "v1", 0.00002, true)),
                up("MemoryOrchestrator", 0.020, new Change(25, Change.Verdict.IMPROVED, "v1", 0.003, true)),
                up("ServiceRegistry", 0.004, new Change(-12, Change.Verdict.REGRESSED, "v1", 0.012, true)),
                up("SystemDigitalTwin", 0.004, null),
                new WatchModel.Row(new AgentId("pc2", "CacheManager"), WatchModel.Status.ERROR, "malformed", Double.NaN, Double.NaN,
                        List.of(), 0, Double.NaN, null, List.of("http://127.0.0.1:8102/metrics is not valid Prometheus text format: line 1, column 1")),
                new WatchModel.Row(new AgentId("pc2", "AsyncProcessor"), WatchModel.Status.DOWN, "unreachable", Double.NaN, Double.NaN,
                        List.of(), 0, Double.NaN, null, List.of("connection refused at http://127.0.0.1:8101/metrics: is the agent running?")));
    }

    @Test
    void showsEveryAgentTheTotalsTopImprovementsAndAlerts() {
        String frame = Dashboard.render(model(rows()), 0, 0, false);
        assertThat(frame).contains("fleetshell watch", "cycle 3, every 2s, 6 agents read in 38 ms (CPU 25 ms) from the agents' /metrics endpoints",
                "agents 6   healthy 4/6 (66.7%)   improved 2   regressed 1   alerts 3",
                "thresholds: target +40%, minimum +20%, regression -5%",
                "top improvements: mainpc/TutorAgent +42%, mainpc/MemoryOrchestrator +25%",
                "active alerts: 3",
                "  pc2/AsyncProcessor: connection refused at http://127.0.0.1:8101/metrics: is the agent running?");
        assertThat(frame).containsPattern("mainpc\\s+TutorAgent\\s+up\\s+1.25 s\\s+9.5 ms\\s+\\S+\\s+\\+42% target \\(p < 0\\.0001\\)\\s+40\\s+0.0%")
                .containsPattern("ServiceRegistry\\s+up.*-12% REGRESSED")
                .containsPattern("MemoryOrchestrator\\s+up.*\\+25% improved")
                .containsPattern("SystemDigitalTwin\\s+up.*no baseline")
                .containsPattern("pc2\\s+CacheManager\\s+error\\s+-\\s+-")
                .containsPattern("pc2\\s+AsyncProcessor\\s+DOWN");
    }

    @Test
    void coloursTheChangeByTheThresholds() {
        String frame = Dashboard.render(model(rows()), 0, 0, true);
        assertThat(frame).contains("\u001b[1;32m+42% target\u001b[0m", "\u001b[32m+25% improved\u001b[0m", "\u001b[31m-12% REGRESSED\u001b[0m",
                "\u001b[31mDOWN\u001b[0m", "\u001b[33merror\u001b[0m");
    }

    @Test
    void aChangeSaysWhetherItIsSignificantNeverABarePercentage() {
        String frame = Dashboard.render(model(List.of(up("TutorAgent", 0.005, new Change(50, Change.Verdict.WITHIN, "v1", 0.21, false)))),
                0, 0, false);
        assertThat(frame).contains("+50% not significant (p = 0.21)", "improved 0");
    }

    @Test
    void theLiveFrameShowsTheViewsRowsTheSelectionAndTheKeys() {
        WatchView view = new WatchView();
        List<WatchModel.Row> all = rows();
        view.key(new WatchView.Key.Typed('s'), all.size(), 10, null); // by agent name
        view.key(WatchView.Key.Special.DOWN, all.size(), 10, null);
        String frame = Dashboard.render(model(all), view, 0, 10, false);
        assertThat(frame).containsPattern("\\n  MACHINE").containsPattern("\\n> mainpc\\s+ServiceRegistry")
                .containsPattern("\\n  pc2\\s+AsyncProcessor").contains("s sort: agent");
        assertThat(frame.indexOf("AsyncProcessor")).isLessThan(frame.indexOf("CacheManager"));

        view.key(new WatchView.Key.Typed('/'), all.size(), 10, null);
        "down".chars().forEach(c -> view.key(new WatchView.Key.Typed((char) c), all.size(), 10, null));
        view.key(WatchView.Key.Special.ENTER, all.size(), 10, null);
        assertThat(view.rows(model(all))).extracting(r -> r.agent().name()).containsExactly("AsyncProcessor");

        List<WatchModel.Row> many = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            many.add(up("Agent" + i, 0.01, null));
        }
        WatchView scrolling = new WatchView();
        scrolling.key(WatchView.Key.Special.PAGE_DOWN, many.size(), 10, null);
        scrolling.key(WatchView.Key.Special.PAGE_DOWN, many.size(), 10, null);
        assertThat(Dashboard.render(model(many), scrolling, 0, 10, false)).containsPattern("\\n> mainpc\\s+Agent20\\s").contains("rows 12-21 of 30")
                .doesNotContain("Agent10 ");
    }

    @Test
    void fitsTheTerminalWidthAndHeight() {
        List<WatchModel.Row> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(up("Agent" + i, 0.01, null));
        }
        String frame = Dashboard.render(model(many), 60, 10, true);
        assertThat(frame.lines()).allSatisfy(line -> assertThat(line.replaceAll("\u001b\\[[0-9;]*m", "")).hasSizeLessThanOrEqualTo(60));
        assertThat(frame).contains("Agent9").doesNotContain("Agent10 ").contains("... 40 more agents");
    }
}
