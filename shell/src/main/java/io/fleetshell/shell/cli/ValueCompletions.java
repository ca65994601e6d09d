package io.fleetshell.shell.cli;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.shell.ShellSession;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The values TAB proposes: agent names (plain, or {@code machine/name} where a name is on two
 * machines), machine names, and file system paths. Option values are chosen by option name.
 */
@Component
public class ValueCompletions {

    /** A proposed value; {@code complete} is false for a directory, so TAB can go on into it. */
    public record Value(String text, String description, boolean complete) {
    }

    private final ShellSession session;

    public ValueCompletions(ShellSession session) {
        this.session = session;
    }

    public List<Value> forOption(String option, String typed) {
        return switch (option) {
            case "agent", "agents" -> agents(typed);
            case "machine" -> machines(typed);
            case "pattern" -> patterns(typed);
            case "deployment" -> deploymentsToRollBack(typed);
            case "batch" -> batches(typed);
            case "on-fail" -> java.util.Arrays.stream(io.fleetshell.engine.rollout.OnFail.values())
                    .map(io.fleetshell.engine.rollout.OnFail::text).filter(t -> t.startsWith(typed))
                    .map(t -> new Value(t, null, true)).toList();
            case "root", "file", "dir", "from" -> paths(typed);
            case "modules" -> eachOfList(typed, this::modules);
            default -> List.of();
        };
    }

    public List<Value> agents(String typed) {
        Inventory inventory = inventory();
        Map<String, Long> count = inventory.agents().stream()
                .collect(java.util.stream.Collectors.groupingBy(Agent::name, java.util.stream.Collectors.counting()));
        return inventory.agents().stream()
                .flatMap(a -> count.get(a.name()) > 1
                        ? Stream.of(a.id().toString())
                        : Stream.of(a.name()))
                .distinct()
                .filter(name -> name.startsWith(typed))
                .map(name -> new Value(name, null, true))
                .toList();
    }

    /** Deployment ids, newest first, described by date, pattern and state. */
    public List<Value> deployments(String typed) {
        try {
            io.fleetshell.history.DeploymentStore store = new io.fleetshell.history.DeploymentStore(session.database());
            return store.deployments(50).stream()
                    .filter(d -> String.valueOf(d.id()).startsWith(typed))
                    .map(d -> new Value(String.valueOf(d.id()), "%s %s %s".formatted(WHEN.format(d.createdAt()), d.pattern(),
                            d.state().words()), true))
                    .toList();
        } catch (RuntimeException e) {
            return List.of(); // completion must never break the line being typed
        }
    }

    /**
     * Deployment ids for {@code rollback --deployment}: those with changes left to roll back first, newest first,
     * then those with nothing left, marked so; either way described by date, pattern and state.
     */
    public List<Value> deploymentsToRollBack(String typed) {
        try {
            io.fleetshell.history.DeploymentStore store = new io.fleetshell.history.DeploymentStore(session.database());
            List<Value> withChanges = new java.util.ArrayList<>();
            List<Value> nothingLeft = new java.util.ArrayList<>();
            for (var d : store.deployments(50)) {
                if (!String.valueOf(d.id()).startsWith(typed)) {
                    continue;
                }
                long changed = store.steps(d.id()).stream().filter(st -> st.state().changed()).count();
                String description = "%s %s %s".formatted(WHEN.format(d.createdAt()), d.pattern(), d.state().words());
                if (changed > 0) {
                    withChanges.add(new Value(String.valueOf(d.id()), description + ", %d change%s to roll back"
                            .formatted(changed, changed == 1 ? "" : "s"), true));
                } else {
                    nothingLeft.add(new Value(String.valueOf(d.id()), "(nothing to roll back) " + description, true));
                }
            }
            withChanges.addAll(nothingLeft);
            return withChanges;
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** Batch ids (DEPLOYMENT.BATCH) of recent deployments with changes left to roll back, with date, pattern and agents. */
    public List<Value> batches(String typed) {
        try {
            io.fleetshell.history.DeploymentStore store = new io.fleetshell.history.DeploymentStore(session.database());
            List<Value> values = new java.util.ArrayList<>();
            for (var d : store.deployments(20)) {
                Map<Integer, List<io.fleetshell.engine.rollout.StoredStep>> byBatch = store.steps(d.id()).stream()
                        .filter(st -> st.state().changed())
                        .collect(java.util.stream.Collectors.groupingBy(io.fleetshell.engine.rollout.StoredStep::batch,
                                java.util.TreeMap::new, java.util.stream.Collectors.toList()));
                byBatch.forEach((b, steps) -> values.add(new Value(d.id() + "." + b, "%s %s: %s".formatted(WHEN.format(d.createdAt()),
                        d.pattern(), String.join(", ", steps.stream().map(st -> st.agent().name()).toList())), true)));
            }
            return values.stream().filter(v -> v.text().startsWith(typed)).toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /**
     * Completes the last name of a comma-separated list ({@code --modules common.a,common.b<TAB>}): the names typed
     * before the last comma are kept in front of each proposal, and a name already in the list is not offered again.
     */
    public List<Value> eachOfList(String typed, java.util.function.Function<String, List<Value>> one) {
        int comma = typed.lastIndexOf(',');
        if (comma < 0) {
            return one.apply(typed);
        }
        String head = typed.substring(0, comma + 1);
        java.util.Set<String> given = java.util.Set.of(head.split(","));
        return one.apply(typed.substring(comma + 1)).stream().filter(v -> !given.contains(v.text()))
                .map(v -> new Value(head + v.text(), v.description(), v.complete())).toList();
    }

    /** Agents and shared modules with a change that can be rolled back, described by the deployment, its date and pattern. */
    public List<Value> agentsWithBackups(String typed) {
        try {
            io.fleetshell.history.DeploymentStore store = new io.fleetshell.history.DeploymentStore(session.database());
            Map<String, Value> byName = new java.util.LinkedHashMap<>();
            for (var step : store.changedSteps()) {
                // a joint step of several modules is offered under each module's name (rollback takes any one of them)
                List<String> names = step.module() == null ? List.of(step.agent().name())
                        : io.fleetshell.engine.rollout.ModuleChange.modulesOf(step.module());
                for (String name : names) {
                    if (name.startsWith(typed) && !byName.containsKey(name)) {
                        var d = store.deployment(step.deploymentId()).orElseThrow();
                        byName.put(name, new Value(name, "%sdeployment %d, %s, %s".formatted(step.module() == null ? ""
                                : names.size() > 1 ? "joint change of %d modules, %d files, ".formatted(names.size(), step.files().size())
                                : "shared module, %d files, ".formatted(step.files().size()), d.id(), WHEN.format(d.createdAt()), step.pattern()), true));
                    }
                }
            }
            return List.copyOf(byName.values());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private static final java.time.format.DateTimeFormatter WHEN =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(java.time.ZoneId.systemDefault());

    public List<Value> machines(String typed) {
        return inventory().machines().stream().map(Machine::name)
                .filter(name -> name.startsWith(typed))
                .map(name -> new Value(name, null, true))
                .toList();
    }

    /** Optimization patterns by id (Python ones, then Java ones), each with its display name. */
    public List<Value> patterns(String typed) {
        return java.util.stream.Stream.concat(PythonPatterns.all().stream(), io.fleetshell.engine.java.JavaPatterns.all().stream())
                .filter(p -> p.id().startsWith(typed))
                .map(p -> new Value(p.id(), p.displayName(), true)).toList();
    }

    public List<Value> paths(String typed) {
        String expanded = typed.startsWith("~/") ? System.getProperty("user.home") + typed.substring(1) : typed;
        int slash = expanded.lastIndexOf('/');
        String dirPart = slash >= 0 ? expanded.substring(0, slash + 1) : "";
        String namePart = slash >= 0 ? expanded.substring(slash + 1) : expanded;
        Path dir = dirPart.isEmpty() ? Path.of("") : Path.of(dirPart);
        String shownDir = slash >= 0 ? typed.substring(0, typed.lastIndexOf('/') + 1) : "";
        try (Stream<Path> entries = Files.list(dir.toString().isEmpty() ? Path.of(".") : dir)) {
            return entries
                    .filter(p -> p.getFileName().toString().startsWith(namePart))
                    .filter(p -> namePart.startsWith(".") || !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .map(p -> Files.isDirectory(p)
                            ? new Value(shownDir + p.getFileName() + "/", null, false)
                            : new Value(shownDir + p.getFileName(), null, true))
                    .toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Files a walk for module completion looks at, at most: completion answers at once, also in a huge tree. */
    private static final int MODULE_SCAN_LIMIT = 5000;

    /**
     * Python files under the fleet roots that are no agent's script, each as a dotted name and as a path relative to
     * its fleet root (what {@code score MODULE} accepts); hidden directories and {@code __pycache__} are skipped.
     */
    public List<Value> modules(String typed) {
        Inventory inventory = inventory();
        java.util.Set<Path> scripts = new java.util.HashSet<>();
        inventory.agents().stream().filter(a -> a.script().found()).forEach(a -> scripts.add(a.script().path().toAbsolutePath().normalize()));
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (Path root : inventory.machines().stream().map(m -> m.fleetRoot().toAbsolutePath().normalize()).distinct().toList()) {
            try (Stream<Path> files = Files.walk(root, 12)) {
                files.limit(MODULE_SCAN_LIMIT)
                        .filter(p -> p.getFileName().toString().endsWith(".py") && !scripts.contains(p))
                        .map(root::relativize)
                        .filter(r -> java.util.stream.StreamSupport.stream(r.spliterator(), false)
                                .noneMatch(part -> part.toString().startsWith(".") || part.toString().equals("__pycache__")))
                        .forEach(r -> {
                            String path = r.toString();
                            names.add(path);
                            String dotted = path.replaceFirst("(/__init__)?\\.py$", "").replace('/', '.');
                            if (!dotted.isEmpty() && !dotted.equals("__init__")) {
                                names.add(dotted);
                            }
                        });
            } catch (IOException | RuntimeException e) {
                // completion must never break the line being typed
            }
        }
        return names.stream().filter(n -> n.startsWith(typed)).map(n -> new Value(n, "module", true)).toList();
    }

    private Inventory inventory() {
        try {
            return session.inventoryStore().inventory();
        } catch (RuntimeException e) {
            return Inventory.empty(); // completion must never break the line being typed
        }
    }
}
