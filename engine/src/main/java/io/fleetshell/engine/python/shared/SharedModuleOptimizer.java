package io.fleetshell.engine.python.shared;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.host.FileStat;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.optimize.PythonOptimizer;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.graph.FleetModule;
import io.fleetshell.engine.python.graph.ImportGraph;
import io.fleetshell.engine.python.graph.ModuleReports;
import io.fleetshell.engine.python.pattern.DeferHeavyImports;
import io.fleetshell.engine.python.pattern.ImporterReads;

import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Optimizes a module of the fleet's own code that several agents import: runs {@code dependency_reduction} and
 * {@code lazy_loading} on it with {@link PythonOptimizer#rewriteModule} (the same analysis, edits and notes as on an
 * agent's file), told what the module's importers read through it ({@link ImporterReads}), with the loader imported from
 * one helper module ({@link DeferHeavyImports#HELPER_FILE}) instead of inlined: beside the module by default, or in the
 * package the user names. A helper that is absent is created by the change; one that holds exactly the bytes this
 * fleetshell writes is reused; any other file of that name is refused, since overwriting it would break whatever
 * imports it. The change is then proved on the module and on every dependent ({@link DependentsProof}). All of it happens
 * on the dependents' machine ({@link PythonOptimizer#site}): the module and the helper are read there and the proof runs
 * there, whether that machine is this computer or one reached over ssh.
 */
public final class SharedModuleOptimizer {

    private final PythonOptimizer optimizer;
    private final DependentsProof proof;

    /** @param proof the proof over the dependents, or null to skip it */
    public SharedModuleOptimizer(PythonOptimizer optimizer, DependentsProof proof) {
        this.optimizer = optimizer;
        this.proof = proof;
    }

    /**
     * The module as the import graph found it.
     *
     * @param name       its dotted name, as the agents import it ({@code common.base_agent}; a package's {@code __init__.py}
     *                   is the package's name)
     * @param file       its file, absolute
     * @param importRoot the directory it is imported from (its top package's parent)
     * @param dependents every agent that imports it, directly or transitively
     * @param reads      what the modules importing it read through it
     */
    public record SharedModule(String name, Path file, Path importRoot, List<Agent> dependents, ImporterReads reads) {
        public SharedModule {
            dependents = List.copyOf(dependents);
        }

        /**
         * The module as the import graph sees it, with what its importers read through it as the graph judges it
         * ({@link ModuleReports#importerReads}: the reads while an importer loads that keep an import eager, the names
         * importers import from it otherwise, where an importer binds the module itself). The places are written
         * relative to the module's import root, since lazy_loading puts them in the module's header comment.
         */
        public static SharedModule of(ImportGraph graph, FleetModule module) {
            ImporterReads reads = ModuleReports.importerReads(graph, module);
            java.util.function.UnaryOperator<String> relative = where -> where == null ? null : where.replace(module.root() + "/", "");
            Map<String, String> atImportTime = new LinkedHashMap<>();
            reads.atImportTime().forEach((name, where) -> atImportTime.put(name, relative.apply(where)));
            Map<String, String> later = new LinkedHashMap<>();
            reads.later().forEach((name, where) -> later.put(name, relative.apply(where)));
            return new SharedModule(module.name(), module.file(), module.root(), graph.dependents(module),
                    new ImporterReads(atImportTime, later, relative.apply(reads.wholeModule())));
        }
    }

    /**
     * @param helperPackage the package the helper goes in (dotted, under the module's import root), or null for beside
     *                      the module
     */
    public SharedModuleOptimization optimize(Inventory inventory, SharedModule module, String helperPackage, List<Pattern<FileFacts>> patterns) {
        if (module.dependents().isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "no agent imports %s, so no proof could show what a change of it does; nothing was changed"
                    .formatted(module.name()));
        }
        Machine machine = machineOf(inventory, module);
        Helper helper = helper(optimizer.site(machine).host(), module, helperPackage);
        Map<String, String> options = new LinkedHashMap<>(module.reads().options());
        options.put(DeferHeavyImports.OPTION_HELPER_MODULE, helper.name());
        PythonOptimizer.FileRewrite rewritten = optimizer.rewriteModule(machine, module.file(), patterns, options);
        Rewrite rewrite = rewritten.rewrite();
        boolean imports = new String(rewrite.after(), StandardCharsets.UTF_8).contains("from %s import ".formatted(helper.name()));
        List<Rewrite> files = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (rewrite.changes() && imports) {
            files.add(helperFile(optimizer, machine, helper, notes));
        }
        files.add(rewrite);
        ChangeSet change = new ChangeSet(rewrite.pattern(), files, notes);
        DependentsProof.Result proved = null;
        if (proof != null && change.changes()) {
            List<DependentsProof.Dependent> dependents = dependentsOf(inventory, machine, module.name(), module.dependents());
            proved = proof.prove(optimizer.site(machine), machine.fleetRoot(), change, module.file(), module.name(), rewritten.removedNames(), dependents);
        }
        return new SharedModuleOptimization(module.name(), module.file(), module.dependents(), machine.python(), rewritten.version(),
                rewritten.applicability(), change, imports ? helper.name() : null, rewritten.deferredNames(), rewritten.removedNames(), proved);
    }

    /** The machine every dependent of the change runs on: where the change is rewritten and proved. */
    private static Machine machineOf(Inventory inventory, SharedModule module) {
        return inventory.machine(module.dependents().getFirst().machine()).orElseThrow();
    }

    /**
     * Several modules rewritten as ONE change over their dependents (issue 14): a heavy import deferred in one module gains
     * nothing while a sibling module still imports it eagerly, so the modules are changed, proved and deployed together.
     * Every module is rewritten with the same patterns as {@link #optimize(Inventory, SharedModule, String, List)} and
     * imports the loader from one helper module (in {@code helperPackage}, else in the deepest package every module
     * lies in); a module whose rewrite changes nothing is left out, with the patterns' reasons. The change (the helper
     * first, then each module in the order given) is proved once over the union of the dependents.
     */
    public JointModuleOptimization optimize(Inventory inventory, List<SharedModule> modules, String helperPackage,
                                            List<Pattern<FileFacts>> patterns) {
        if (modules.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name the modules of the joint change (score --modules ranks them); nothing was changed");
        }
        Map<String, String> left = new LinkedHashMap<>();
        List<SharedModule> imported = new ArrayList<>();
        for (SharedModule module : modules) {
            if (module.dependents().isEmpty()) {
                left.put(module.name(), "no agent imports it, so no proof could show what a change of it does");
            } else if (!module.importRoot().equals(modules.getFirst().importRoot())) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, ("%s is imported from %s and %s from %s: the modules of one change share one "
                        + "helper module, so they must be imported from one root; change them in separate commands; nothing was changed")
                        .formatted(module.name(), module.importRoot(), modules.getFirst().name(), modules.getFirst().importRoot()));
            } else {
                imported.add(module);
            }
        }
        if (imported.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "no agent imports %s, so no proof could show what a change does; nothing was changed"
                    .formatted(String.join(", ", left.keySet())));
        }
        Machine machine = machineOf(inventory, imported.getFirst());
        Helper helper = jointHelper(optimizer.site(machine).host(), imported, helperPackage);
        List<JointModuleOptimization.Part> parts = new ArrayList<>();
        List<Rewrite> rewrites = new ArrayList<>();
        Map<String, PythonOptimizer.FileRewrite> byModule = new LinkedHashMap<>();
        String version = null;
        java.util.Set<String> importingHelper = new java.util.HashSet<>();
        for (SharedModule module : imported) {
            Map<String, String> options = new LinkedHashMap<>(module.reads().options());
            options.put(DeferHeavyImports.OPTION_HELPER_MODULE, helper.name());
            PythonOptimizer.FileRewrite rewritten = optimizer.rewriteModule(machine, module.file(), patterns, options);
            version = rewritten.version();
            if (!rewritten.rewrite().changes()) {
                List<String> reasons = new ArrayList<>();
                rewritten.applicability().forEach((id, a) -> a.reasons().stream().findFirst().ifPresent(r -> reasons.add(id + ": " + r)));
                left.put(module.name(), "its rewrite changes nothing" + (reasons.isEmpty() ? "" : " (" + String.join("; ", reasons) + ")"));
                continue;
            }
            if (new String(rewritten.rewrite().after(), StandardCharsets.UTF_8).contains("from %s import ".formatted(helper.name()))) {
                importingHelper.add(module.name());
            }
            rewrites.add(rewritten.rewrite());
            byModule.put(module.name(), rewritten);
            parts.add(new JointModuleOptimization.Part(module.name(), module.file(), module.dependents().stream().map(Agent::id).toList(),
                    rewritten.applicability(), rewritten.deferredNames(), rewritten.removedNames()));
        }
        List<Agent> dependents = new ArrayList<>();
        java.util.Set<io.fleetshell.engine.inventory.AgentId> seen = new java.util.HashSet<>();
        imported.stream().filter(m -> byModule.containsKey(m.name())).flatMap(m -> m.dependents().stream())
                .filter(a -> seen.add(a.id())).forEach(dependents::add);
        if (parts.isEmpty()) {
            return new JointModuleOptimization(parts, left, dependents, machine.python(), version, null, null, null);
        }
        List<String> notes = new ArrayList<>();
        boolean imports = !importingHelper.isEmpty();
        Rewrite helperFile = imports ? helperFile(optimizer, machine, helper, notes) : null;
        List<Rewrite> files = new ArrayList<>();
        if (helperFile != null) {
            files.add(helperFile);
        }
        files.addAll(rewrites);
        left.forEach((name, why) -> notes.add("%s is left out of the change: %s".formatted(name, why)));
        ChangeSet change = new ChangeSet(rewrites.getFirst().pattern(), files, notes);
        DependentsProof.Result proved = null;
        if (proof != null) {
            List<DependentsProof.ChangedModule> changed = new ArrayList<>();
            for (SharedModule module : imported) {
                PythonOptimizer.FileRewrite rewritten = byModule.get(module.name());
                if (rewritten == null) {
                    continue;
                }
                List<Rewrite> own = new ArrayList<>();
                if (importingHelper.contains(module.name())) {
                    own.add(helperFile);
                }
                own.add(rewritten.rewrite());
                changed.add(new DependentsProof.ChangedModule(module.name(), module.file(), rewritten.removedNames(),
                        module.dependents().stream().map(Agent::id).toList(), new ChangeSet(rewritten.rewrite().pattern(), own, List.of())));
            }
            proved = proof.prove(optimizer.site(machine), machine.fleetRoot(), change, changed, dependentsOf(inventory, machine, String.join(", ", byModule.keySet()), dependents));
        }
        return new JointModuleOptimization(parts, left, dependents, machine.python(), version, change, imports ? helper.name() : null, proved);
    }

    /**
     * The helper file of a change, as the machine's host has it: created when absent, listed unchanged when it holds the
     * loader already, else refused.
     */
    private static Rewrite helperFile(PythonOptimizer optimizer, Machine machine, Helper helper, List<String> notes) {
        byte[] wanted = DeferHeavyImports.helperModule();
        if (!exists(optimizer.site(machine).host(), helper.file())) {
            return Rewrite.creating(DeferHeavyImports.ID, helper.file(), wanted, List.of(
                    "created: the lazy loader that the rewritten module imports as `%s`; a rollback removes it".formatted(helper.name())));
        }
        if (Arrays.equals(optimizer.read(machine, helper.file()), wanted)) {
            // Listed unchanged, so that the step records that it uses the helper: a rollback of the step that created
            // it is then refused while this one is in place.
            notes.add("%s holds this fleetshell's lazy loader already: reused, not written".formatted(helper.file()));
            return Rewrite.unchanged(DeferHeavyImports.ID, helper.file(), wanted, List.of());
        }
        throw new FleetshellException(ErrorCode.BAD_INPUT, ("%s exists and is not the lazy loader this fleetshell writes (its bytes differ: "
                + "edited, or written by another version). Move it away, or put the helper elsewhere with --helper-package PACKAGE; "
                + "nothing was changed.").formatted(helper.file()));
    }

    /** The proof's view of each dependent: all on the fleet root of {@code machine}, where the change is proved. */
    private static List<DependentsProof.Dependent> dependentsOf(Inventory inventory, Machine machine, String module, List<Agent> agents) {
        return agents.stream().map(agent -> {
            Machine on = inventory.machine(agent.machine()).orElseThrow();
            if (!on.fleetRoot().toAbsolutePath().normalize().equals(machine.fleetRoot().toAbsolutePath().normalize())) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, ("%s imports %s from another fleet root (%s, not %s): a change is proved on "
                        + "one fleet root's copy; nothing was changed").formatted(agent.id(), module, on.fleetRoot(), machine.fleetRoot()));
            }
            return new DependentsProof.Dependent(agent, new ProfileTarget(agent.id(), agent.script().path(), on.python(), on.fleetRoot(),
                    on.environment()), agent.commands().test());
        }).toList();
    }

    /**
     * The one helper of a joint change: in the package named, else in the deepest package that holds every module (the
     * import root itself when the modules share none), so that one file serves them all.
     */
    static Helper jointHelper(Host host, List<SharedModule> modules, String helperPackage) {
        if (modules.size() == 1 || (helperPackage != null && !helperPackage.isBlank())) {
            return helper(host, modules.getFirst(), helperPackage);
        }
        List<String> common = null;
        for (SharedModule module : modules) {
            boolean isPackage = module.file().getFileName().toString().equals("__init__.py");
            List<String> parts = new ArrayList<>(List.of(module.name().split("\\.")));
            if (!isPackage) {
                parts.removeLast();
            }
            if (common == null) {
                common = parts;
            } else {
                int n = 0;
                while (n < common.size() && n < parts.size() && common.get(n).equals(parts.get(n))) {
                    n++;
                }
                common = new ArrayList<>(common.subList(0, n));
            }
        }
        String stem = DeferHeavyImports.HELPER_FILE.replaceFirst("\\.py$", "");
        String owner = String.join(".", common);
        Path directory = modules.getFirst().importRoot().resolve(owner.replace('.', '/'));
        return new Helper(owner.isEmpty() ? stem : owner + "." + stem, directory.resolve(DeferHeavyImports.HELPER_FILE));
    }

    /** Where the helper goes: its dotted name and file. */
    record Helper(String name, Path file) {
    }

    static Helper helper(Host host, SharedModule module, String helperPackage) {
        String stem = DeferHeavyImports.HELPER_FILE.replaceFirst("\\.py$", "");
        if (helperPackage == null || helperPackage.isBlank()) {
            boolean isPackage = module.file().getFileName().toString().equals("__init__.py");
            String owner = isPackage ? module.name() : module.name().contains(".") ? module.name().substring(0, module.name().lastIndexOf('.')) : "";
            return new Helper(owner.isEmpty() ? stem : owner + "." + stem, module.file().resolveSibling(DeferHeavyImports.HELPER_FILE));
        }
        String typed = helperPackage.strip();
        if (!typed.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--helper-package %s: give a dotted package name such as common; nothing was changed"
                    .formatted(helperPackage));
        }
        Path directory = module.importRoot().resolve(typed.replace('.', '/'));
        if (!isDirectory(host, directory)) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, ("--helper-package %s: %s is not a package directory under %s, where the agents "
                    + "import %s from; name an existing package there; nothing was changed").formatted(helperPackage, directory,
                    module.importRoot(), module.name()));
        }
        return new Helper(typed + "." + stem, directory.resolve(DeferHeavyImports.HELPER_FILE));
    }

    /** Something (a dangling symlink too) is at {@code path} on the host. */
    private static boolean exists(Host host, Path path) {
        try {
            return host.exists(path);
        } catch (IOException e) {
            throw unreachable(host, path, e);
        }
    }

    /** A directory (not a symlink to one) is at {@code path} on the host. */
    private static boolean isDirectory(Host host, Path path) {
        try {
            return host.stat(path).map(s -> s.type() == FileStat.Type.DIRECTORY).orElse(false);
        } catch (IOException e) {
            throw unreachable(host, path, e);
        }
    }

    private static FleetshellException unreachable(Host host, Path path, IOException e) {
        return new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot look at %s on machine %s (%s): %s; nothing was changed"
                .formatted(path, host.name(), host.describe(), e.getMessage()), e);
    }
}
