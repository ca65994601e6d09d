package io.fleetshell.shell.commands;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Language;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.LockHolder;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.PlanStep;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Host;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How rollouts look on the terminal and in {@code --json}: the plan, the steps table, a deployment's state and
 * how it ended, for {@code batch deploy}, {@code deploy status|resume}, {@code optimize} and {@code explain}.
 * The JSON records print with the snake_case names the output has always had.
 */
final class RolloutView {

    private RolloutView() {
    }

    /** {@code batch deploy --json}'s plan (dry run, or nothing to deploy). */
    record PlanJson(String pattern, Map<String, Object> options, int batches, double predictedGainMs, List<StepJson> steps,
                    List<SkippedJson> skipped) {

        static PlanJson of(Plan plan) {
            return new PlanJson(plan.pattern(), plan.options().toMap(), plan.batchCount(), plan.predictedGainMs(),
                    plan.steps().stream().map(StepJson::of).toList(),
                    plan.skipped().stream().map(s -> new SkippedJson(s.agent().toString(), s.reason(), s.detail())).toList());
        }

        /** A planned step; a step of several files adds {@code module}, {@code dependents} and {@code files}, its diff covers them all. */
        record StepJson(int batch, String agent, String pattern, String file, String expectedSha256, Double predictedGainMs, String diff,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String module,
                        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> dependents,
                        @JsonInclude(JsonInclude.Include.NON_NULL) List<FileJson> files) {

            static StepJson of(PlanStep s) {
                return new StepJson(s.batch(), s.agent().toString(), s.pattern(), s.file().toString(), s.expectedSha256(),
                        s.predictedGainMs(), s.change() == null ? s.rewrite().unifiedDiff() : s.change().unifiedDiff(), s.module(),
                        s.module() == null ? null : s.dependents().stream().map(Object::toString).toList(),
                        s.change() == null ? null : s.rewrites().stream().map(r -> new FileJson(r.file().toString(),
                                r.createsFile() ? null : io.fleetshell.engine.Checksums.sha256(r.before()),
                                io.fleetshell.engine.Checksums.sha256(r.after()), r.createsFile())).toList());
            }
        }

        /** An agent left out: {@code reason} in one line, {@code detail} every reason behind it. */
        record SkippedJson(String agent, String reason, List<String> detail) {
        }
    }

    /**
     * One stored step as {@code deploy status}, {@code batch deploy} and {@code explain} print it; a step of several files adds
     * {@code module} (a shared module's step), {@code dependents} and {@code files}, in the order it writes them.
     */
    record StoredStepJson(String step, String agent, String file, String pattern, String state, String detail, String beforeSha256,
                          String afterSha256, Double predictedGainMs, @JsonInclude(JsonInclude.Include.NON_NULL) String module,
                          @JsonInclude(JsonInclude.Include.NON_NULL) List<String> dependents,
                          @JsonInclude(JsonInclude.Include.NON_NULL) List<FileJson> files) {

        static StoredStepJson of(StoredStep s) {
            return new StoredStepJson(s.label(), s.agent().toString(), s.file().toString(), s.pattern(), s.state().text(), s.detail(),
                    s.beforeSha256(), s.afterSha256(), s.predictedGainMs(), s.module(),
                    s.module() == null ? null : s.dependents().stream().map(Object::toString).toList(), FileJson.of(s));
        }
    }

    /** A file of a multi-file step: {@code before_sha256} null and {@code created} for a file the step creates. */
    record FileJson(String path, String beforeSha256, String afterSha256, boolean created) {

        static List<FileJson> of(StoredStep s) {
            return s.multiFile() ? s.files().stream().map(f -> new FileJson(f.file().toString(), f.beforeSha256(), f.afterSha256(),
                    f.creates())).toList() : null;
        }
    }

    /**
     * The lines that show a multi-file step as one unit: what it is, then each file in the order it writes them with what the
     * step does to it; none for a step of one file.
     */
    static List<String> fileLines(StoredStep s, String indent) {
        if (!s.multiFile()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        lines.add(indent + "%s %s: one step of %d files%s".formatted(s.label(), s.subject(), s.files().size(), s.module() == null ? ""
                : "; dependents (restarted and gated together when running): %s".formatted(s.dependents().isEmpty() ? "none"
                : String.join(", ", s.dependents().stream().map(Object::toString).toList()))));
        s.files().forEach(f -> lines.add(indent + (f.uses() ? "  uses     %s (%s, left as it is)".formatted(f.file(), f.shortBefore())
                : "  %s %s (%s -> %s)".formatted(f.creates() ? "creates " : "rewrites", f.file(), f.shortBefore(), f.afterSha256().substring(0, 12)))));
        return lines;
    }

    /** How a deployment ended. */
    record ResultJson(long deployment, String state, String summary, List<StoredStepJson> steps) {

        static ResultJson of(DeploymentResult r) {
            return new ResultJson(r.deploymentId(), r.state().text(), r.summary(), r.steps().stream().map(StoredStepJson::of).toList());
        }
    }

    /** A deployment's record and its steps. */
    record DeploymentJson(long deployment, String createdAt, String finishedAt, String pattern, Map<String, Object> options,
                          String state, String control, String summary, long pid, String host, List<StoredStepJson> steps) {

        static DeploymentJson of(Deployment d, List<StoredStep> steps) {
            return new DeploymentJson(d.id(), d.createdAt().toString(), d.finishedAt() == null ? null : d.finishedAt().toString(),
                    d.pattern(), d.options(), d.state().text(), d.control(), d.summary(), d.pid(), d.host(),
                    steps.stream().map(StoredStepJson::of).toList());
        }
    }

    /** Who holds the fleet lock, for {@code deploy status --json}. */
    record LockJson(Long deployment, String purpose, long pid, String host, String since, boolean alive) {

        static LockJson of(LockHolder h) {
            return new LockJson(h.deploymentId(), h.purpose(), h.pid(), h.host(), h.acquiredAt().toString(), !h.deadOn(Host.name()));
        }
    }

    /** {@code deploy status --json} without an id: the lock and the recent deployments. */
    record StatusJson(LockJson lock, List<DeploymentJson> deployments) {
    }

    /** Prints how a deployment ended (or JSON) and fails the command unless it completed. */
    static void report(ShellSession session, DeploymentResult result, boolean json) {
        Output out = session.output();
        session.journal().summary("deployment %d: %s: %s".formatted(result.deploymentId(), result.state().text(), result.summary()));
        if (json) {
            out.json(ResultJson.of(result));
        } else {
            out.table(stepsTable(out, result.steps()));
            printFiles(out, result.steps());
            if (result.ok()) { // otherwise the error below says it: once
                out.println("deployment %d %s".formatted(result.deploymentId(), result.state().with(result.summary())));
            }
        }
        if (!result.ok()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "deployment %d %s. explain %d shows the evidence of every decision."
                    .formatted(result.deploymentId(), result.state().with(result.summary()), result.deploymentId()));
        }
        out.info("explain %d shows every proof and gate with its evidence; rollback --deployment %d undoes it.".formatted(
                result.deploymentId(), result.deploymentId()));
    }

    /**
     * A Python agent's gain is module load, a Java agent's start to healthy: two quantities, each summed on its own
     * and never added together.
     */
    static String gainInWords(Plan plan) {
        Map<Boolean, Double> byJava = new java.util.TreeMap<>();
        for (PlanStep s : plan.steps()) {
            if (s.predictedGainMs() != null) {
                byJava.merge(Language.detect(s.file().toString()) == Language.JAVA, s.predictedGainMs(), Double::sum);
            }
        }
        List<String> parts = new ArrayList<>();
        byJava.forEach((java, ms) -> parts.add(java ? "%.1f ms of Java start to healthy in total".formatted(ms)
                : "%.1f ms of module load in total".formatted(ms)));
        return String.join(" and ", parts);
    }

    static void printPlan(Output out, Plan plan, boolean diff) {
        RolloutOptions o = plan.options();
        long modules = plan.steps().stream().filter(s -> s.module() != null).count();
        long agents = plan.steps().size() - modules;
        String what = modules == 0 ? "%d agent%s".formatted(agents, agents == 1 ? "" : "s")
                : "%d step%s (%d shared module%s, %d agent%s)".formatted(plan.steps().size(), plan.steps().size() == 1 ? "" : "s",
                modules, modules == 1 ? "" : "s", agents, agents == 1 ? "" : "s");
        out.sentence("Plan: %s in %d batch%s %s, %s between batches; the batch gate stops when more than %.0f%% of a batch fails, then %s."
                .formatted(what, plan.batchCount(), plan.batchCount() == 1 ? "" : "es",
                        sizes(plan), human(o.interval()), o.maxFailPercent(), o.onFail().text()));
        if (!plan.steps().isEmpty()) {
            TextTable table = new TextTable("BATCH", "AGENT", "PATTERN", "PREDICTED GAIN MS", "EXPECTS SHA256", "FILE")
                    .path("FILE").optional("EXPECTS SHA256");
            for (PlanStep s : plan.steps()) {
                table.row(s.batch(), s.subject(), s.pattern(), s.predictedGainMs() == null ? "-" : "%.1f".formatted(s.predictedGainMs()),
                        s.expectedSha256().substring(0, 12), s.change() == null ? s.file()
                                : s.file() + " (+%d file%s)".formatted(s.rewrites().size() - 1, s.rewrites().size() == 2 ? "" : "s"));
            }
            out.table(table);
            for (PlanStep s : plan.steps()) {
                if (s.change() != null) {
                    int joint = io.fleetshell.engine.rollout.ModuleChange.modulesOf(s.module()).size();
                    out.sentence("batch %d %s: one step of %d files%s%s".formatted(s.batch(), s.subject(), s.rewrites().size(),
                            joint > 1 ? ", the joint change of %d modules (proved once over all their dependents)".formatted(joint) : "",
                            s.module() == null ? "" : ", proved on, restarted and gated with " + (s.dependents().isEmpty() ? "no dependent"
                                    : String.join(", ", s.dependents().stream().map(Object::toString).toList()))));
                    s.rewrites().forEach(r -> out.println("  %s %s".formatted(r.createsFile() ? "creates " : r.changes() ? "rewrites"
                            : "uses    ", r.file())));
                }
            }
            if (modules > 0 && agents > 0) {
                out.sentence("the agent steps come after the module step%s and are each proved once written, on the fleet with the module "
                        .formatted(modules == 1 ? "" : "s") + "change in place: an agent's own deferral is judged where the shared modules no "
                        + "longer load what it defers");
            }
            long measured = plan.steps().stream().filter(s -> s.predictedGainMs() != null).count();
            out.sentence(measured == 0 ? "predicted gain: unknown, no agent of the plan is profiled (profile measures them; score then predicts)"
                    : "predicted gain: %s, from score's measurements of %d of %d agents (- means not profiled)"
                    .formatted(gainInWords(plan), measured, plan.steps().size()));
            out.sentence("duration: at least %s of waits between batches, plus each agent's proof (fresh-process loads and its "
                    .formatted(human(plan.minimumDuration())) + "tests), restart and health gate");
        }
        for (Plan.Skipped s : plan.skipped()) {
            out.sentence("skipped %s: %s".formatted(s.agent(), s.reason()));
        }
        if (diff) {
            plan.steps().forEach(s -> {
                out.println("");
                for (String line : (s.change() == null ? s.rewrite().unifiedDiff() : s.change().unifiedDiff()).split("\n")) {
                    out.println(line.startsWith("+") && !line.startsWith("+++") ? out.style(line, "32")
                            : line.startsWith("-") && !line.startsWith("---") ? out.style(line, "31") : line);
                }
            });
        }
    }

    private static String sizes(Plan plan) {
        List<String> sizes = new ArrayList<>();
        for (int b = 1; b <= plan.batchCount(); b++) {
            sizes.add(String.valueOf(plan.batch(b).size()));
        }
        return "(" + String.join(", ", sizes) + ")";
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 != 0 ? ms + " ms" : ms >= 60_000 && ms % 60_000 == 0 ? ms / 60_000 + " min" : ms / 1000 + " s";
    }

    static TextTable stepsTable(Output out, List<StoredStep> steps) {
        TextTable table = new TextTable("STEP", "AGENT", "PATTERN", "STATE", "DETAIL").note("DETAIL");
        for (StoredStep s : steps) {
            String colour = switch (s.state()) {
                case APPLIED -> "32";
                case HELD, PENDING, SKIPPED -> "33";
                default -> "31";
            };
            table.row(s.label(), s.subject(), s.pattern(), out.style(s.state().text(), colour), s.detail() == null ? "" : s.detail());
        }
        return table;
    }

    /** After a steps table: each multi-file step as one unit with its files. */
    static void printFiles(Output out, List<StoredStep> steps) {
        for (StoredStep step : steps) {
            List<String> lines = fileLines(step, "");
            if (!lines.isEmpty()) {
                out.sentence(lines.getFirst()); // the step in a sentence; its file lines are data, never wrapped
                lines.stream().skip(1).forEach(out::println);
            }
        }
    }

    static String state(Output out, Deployment d) {
        String text = d.state().words();
        return out.style(text, switch (d.state()) {
            case COMPLETED -> "32";
            case RUNNING, HELD -> "33";
            default -> "31";
        });
    }
}
