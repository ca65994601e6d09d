package io.fleetshell.engine.rollout;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.AgentId;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The real path of every file a plan writes, as the file's own machine resolves it: its directory's real path on the
 * step's host joined with its own name (the file itself not followed), checked to lie inside the real fleet root there.
 * A plan is made from paths as the inventory names them; on a machine reached over ssh this computer cannot resolve
 * them (the root is not here, or a different tree is here at the same path), so a root reached through a symlinked
 * directory on the host would look moved at the first write. Resolved on the host when the deployment is recorded,
 * every later write, read back and restore compares with what the host said then ({@link Host#readContained},
 * {@link Host#write}), so a directory swapped for a symlink afterwards is refused there as before.
 */
final class PlannedRealPaths {

    private PlannedRealPaths() {
    }

    /**
     * @param hosts the machine of each step's subject
     * @param roots the fleet root of each step's machine, or null when not known (no containment check then)
     * @throws FleetshellException {@code PATH_ESCAPES_ROOT} when a file resolves outside its fleet root on its host;
     *                             nothing was written
     */
    static Plan resolve(Plan plan, Function<AgentId, Host> hosts, Function<AgentId, Path> roots) {
        // one round trip per host for all its steps' directories and roots
        Map<String, Host> byName = new java.util.LinkedHashMap<>();
        Map<String, Set<Path>> asked = new java.util.LinkedHashMap<>();
        for (PlanStep step : plan.steps()) {
            Host host = hosts.apply(step.agent());
            byName.putIfAbsent(host.name(), host);
            Set<Path> paths = asked.computeIfAbsent(host.name(), n -> new LinkedHashSet<>());
            files(step).forEach(f -> paths.add(f.getParent()));
            Path root = roots == null ? null : roots.apply(step.agent());
            if (root != null) {
                paths.add(root);
            }
        }
        Map<String, Map<Path, Optional<Host.Found>>> found = new java.util.HashMap<>();
        asked.forEach((name, paths) -> {
            try {
                found.put(name, byName.get(name).statAll(paths));
            } catch (IOException e) {
                // A host that cannot be reached now fails its own steps when they write, with ssh's words, and never
                // stops the other hosts' steps from being recorded: its steps keep the paths as planned.
            }
        });
        List<PlanStep> steps = new ArrayList<>();
        for (PlanStep step : plan.steps()) {
            Host host = hosts.apply(step.agent());
            Map<Path, Optional<Host.Found>> there = found.get(host.name());
            steps.add(there == null ? step : resolve(step, host, roots == null ? null : roots.apply(step.agent()), there));
        }
        return new Plan(plan.pattern(), steps, plan.skipped(), plan.options());
    }

    private static List<Path> files(PlanStep step) {
        return step.rewrites().stream().map(r -> r.file().toAbsolutePath().normalize()).toList();
    }

    private static PlanStep resolve(PlanStep step, Host host, Path root, Map<Path, Optional<Host.Found>> found) {
        List<Path> files = files(step);
        Path realRoot = root == null ? null : found.get(root).map(Host.Found::real).orElse(null);
        List<Path> reals = new ArrayList<>();
        for (Path file : files) {
            Path parent = found.get(file.getParent()).map(Host.Found::real).orElse(null);
            // a directory that is not there (yet) resolves as far as it exists, as SafeFiles.realPathOf does here
            Path real = parent == null ? file : parent.resolve(file.getFileName().toString());
            if (realRoot != null && parent != null && !real.getParent().startsWith(realRoot)) {
                throw new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT, ("%s resolves to %s on machine %s, outside the fleet root %s (%s "
                        + "there; a directory on the way is a symlink out of the root): refused, nothing was written. Replace the symlink "
                        + "with the directory it stands for").formatted(file, real, host.name(), root, realRoot));
            }
            reals.add(real);
        }
        Path realPath = reals.get(files.indexOf(step.file().toAbsolutePath().normalize()));
        return new PlanStep(step.batch(), step.position(), step.agent(), step.file(), step.pattern(), step.expectedSha256(), step.rewrite(),
                step.predictedGainMs(), step.hints(), realPath, step.module(), step.dependents(), step.change(), reals);
    }
}
