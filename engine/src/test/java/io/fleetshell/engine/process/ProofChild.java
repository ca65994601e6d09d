package io.fleetshell.engine.process;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.python.Prover;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The fleetshell process {@link LeftoversTest} kills: records its child groups in a registry as the shell does, then
 * proves a rewrite of a Python agent whose module body sleeps, so the kill lands while a proof's load runs.
 *
 * <p>Arguments: REGISTRY SCRIPT
 */
public final class ProofChild {

    public static void main(String[] args) throws Exception {
        Leftovers.recordIn(Path.of(args[0]));
        Path script = Path.of(args[1]);
        byte[] before = Files.readAllBytes(script);
        byte[] after = (new String(before) + "\nEXTRA = 1\n").getBytes();
        ProfileTarget target = new ProfileTarget(new AgentId("m1", "Sleeper"), script, "python3", script.getParent(), Map.of());
        Prover prover = new Prover(new Prover.Settings(1, 0.05, Duration.ofMinutes(10), Duration.ofMinutes(1)), Path.of(args[0]).resolveSibling("pycache"));
        System.out.println("proving");
        System.out.flush();
        prover.prove(new Prover.Subject(target, new Rewrite("test", script, before, after, List.of()), List.of(), List.of(), null));
        System.out.println("done");
    }
}
