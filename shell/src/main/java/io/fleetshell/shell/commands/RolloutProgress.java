package io.fleetshell.shell.commands;

import io.fleetshell.engine.Progress;
import io.fleetshell.engine.rollout.BatchState;
import io.fleetshell.engine.rollout.BatchOutcome;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TerminalText;

import java.time.Duration;
import java.util.List;

/**
 * Draws a running rollout on stderr: each batch, a progress bar per finished step, the batch gate and the countdown (in
 * place on the status line of a terminal, a line per 5 s otherwise).
 */
final class RolloutProgress implements RolloutListener {

    private static final int BAR = 20;

    private final Output out;
    private final long deploymentId;

    RolloutProgress(Output out, long deploymentId) {
        this.out = out;
        this.deploymentId = deploymentId;
    }

    @Override
    public void batchStarted(int batch, int batches, List<StoredStep> steps) {
        Progress.end("wait");
        out.info(out.bold("batch %d/%d".formatted(batch, batches)) + ": " + String.join(", ",
                steps.stream().map(s -> s.agent().toString()).toList()));
    }

    @Override
    public void stepFinished(StoredStep step, StepState state, String detail, int done, int total) {
        Progress.end("step");
        int filled = total == 0 ? BAR : done * BAR / total;
        String bar = "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "]";
        String colour = switch (state) {
            case APPLIED -> "32";
            case HELD, SKIPPED -> "33";
            default -> "31";
        };
        // one line per step: a long detail (a held step's gate summaries) is printed whole once, in the steps table
        String line = "  %s %d/%d  %s %s  %s: ".formatted(bar, done, total, step.label(), step.agent(), out.style(state.text(), colour));
        int room = out.width() - TerminalText.plain(line).length();
        out.info(line + (out.width() <= 0 || detail.length() <= room ? detail : detail.substring(0, Math.max(0, room - 1)) + TerminalText.ELLIPSIS));
    }

    @Override
    public void batchFinished(BatchOutcome outcome) {
        BatchState state = outcome.state();
        out.info("  batch gate: %s (%s)".formatted(out.style(state.text(), state == BatchState.PASSED ? "32" : state == BatchState.HELD ? "33"
                : "31"), outcome.gate().rule()));
    }

    @Override
    public void waiting(Duration left, int nextBatch) {
        long seconds = (left.toMillis() + 999) / 1000;
        String next = "next: batch %d in %d s (deploy pause %d or deploy abort %d from another shell)".formatted(nextBatch, seconds,
                deploymentId, deploymentId);
        if (Progress.live()) {
            Progress.update("wait", next); // the status line counts down in place
            return;
        }
        // Without a terminal: one line per 5 s keeps logs readable; the last 3 s count down one by one.
        if (seconds % 5 == 0 || seconds <= 3) {
            out.info("  " + next);
        }
    }

    @Override
    public void message(String text) {
        out.info("  " + text);
    }
}
