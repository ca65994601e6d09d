package io.fleetshell.engine.python;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof's correctness checks on real agent files in a real fleet directory, each loaded by the real interpreter
 * (the load-time check is off here: it has its own statistics tests). The first three are the rewrites of issue 17
 * item 2 that passed every earlier check and broke their agent at run time; they are written by hand here, as the
 * patterns made them before they learned to refuse them, so the proof is shown to catch them on its own.
 */
class ProverTest {

    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    @TempDir
    Path root;

    @Test
    void issue17RemovedImportOfAFleetModuleThatRegistersHandlersIsRefused() throws IOException {
        write("agents/registry.py", """
                HANDLERS = {}

                def register(name):
                    def wrap(f):
                        HANDLERS[name] = f
                        return f
                    return wrap
                """);
        write("agents/handlers_mod.py", """
                from registry import register

                @register("ping")
                def ping():
                    return "pong"
                """);
        String original = """
                import handlers_mod
                import registry

                def handle(name):
                    return registry.HANDLERS[name]()
                """;
        Proof proof = prove("agents/agent.py", original, original.replace("import handlers_mod\n", ""), List.of(), List.of("handlers_mod"));

        assertThat(proof.deployable()).isFalse();
        ProofCheck failed = proof.firstFailure().orElseThrow();
        assertThat(failed.name()).isEqualTo(LoadedState.NAME);
        assertThat(failed.detail()).contains("registry.HANDLERS: dict of 1 -> dict of 0");
    }

    @Test
    void issue17RemovedImportsReadThroughExecEvalAndGlobalsAreRefused() throws IOException {
        String original = """
                import json
                import xmlrpc.client
                import email

                def dump(value):
                    exec("print(json.dumps(value))")

                def client_name():
                    return eval("xmlrpc.client.__name__")

                def mail():
                    return globals()["email"]
                """;
        String rewritten = original.replace("import json\nimport xmlrpc.client\nimport email\n", "");
        Proof proof = prove("agents/agent.py", original, rewritten, List.of(), List.of("json", "xmlrpc", "email"));

        ProofCheck failed = proof.firstFailure().orElseThrow();
        assertThat(failed.name()).isEqualTo(LoadedState.NAME);
        assertThat(failed.detail()).isEqualTo("the rewrite removes json, xmlrpc, email, but the module reads names computed at run time "
                + "(exec() on line 3, eval() on line 6, globals() on line 9): nothing shows that those reads do not need them");
    }

    @Test
    void issue17RemovalThatFlipsWhatSysModulesSaysAtImportTimeIsRefused() throws IOException {
        write("agents/features.py", """
                import sys

                XMLRPC = "xmlrpc.client" in sys.modules
                """);
        String original = """
                import xmlrpc.client
                import features

                def transport():
                    return "xmlrpc" if features.XMLRPC else "json"
                """;
        Proof proof = prove("agents/agent.py", original, original.replace("import xmlrpc.client\n", ""), List.of(), List.of("xmlrpc"));

        ProofCheck failed = proof.firstFailure().orElseThrow();
        assertThat(failed.name()).isEqualTo(LoadedState.NAME);
        assertThat(failed.detail()).contains("features.XMLRPC: bool True -> bool False");
    }

    @Test
    void aRemovalThatChangesNothingPassesTheStateCheckAsDoesAStartTimeThatDiffersInEveryLoad() throws IOException {
        String original = """
                import time
                import json
                import colorsys

                STARTED = time.time()
                CACHE = {"a": 1}

                def dump(value):
                    return json.dumps(value)
                """;
        Proof proof = prove("agents/agent.py", original, original.replace("import colorsys\n", ""), List.of(), List.of("colorsys"));

        assertThat(proof.firstFailure()).isEmpty();
        assertThat(proof.checks()).anyMatch(c -> c.name().equals(LoadedState.NAME) && c.outcome() == ProofCheck.Outcome.PASSED
                && ((Integer) c.evidence().get("own_values_unstable")) >= 1);
    }

    @Test
    void issue16AnAgentWhoseOriginalDoesNotLoadCannotBeProved() throws IOException {
        String original = """
                import json
                import colorsys
                raise OSError("PortAudio library not found")
                """;
        Proof proof = prove("agents/agent.py", original, original.replace("import colorsys\n", ""), List.of(), List.of("colorsys"));

        assertThat(proof.deployable()).isFalse();
        assertThat(proof.firstFailure().orElseThrow().detail()).isEqualTo("the original does not load: it fails with OSError: PortAudio "
                + "library not found (line 3); the rewrite fails with OSError: PortAudio library not found (line 2). An agent that does "
                + "not load cannot be proved: fix the load error (profile shows it) and optimize again");
    }

    @Test
    void issue16ARewriteThatMovesAFailureFromImportToFirstUseIsRefused() throws IOException {
        write("agents/native_audio.py", "raise OSError('PortAudio library not found')\n");
        String original = """
                import native_audio

                def play():
                    return native_audio.play()
                """;
        String rewritten = """
                def play():
                    import native_audio
                    return native_audio.play()
                """;
        Proof proof = prove("agents/agent.py", original, rewritten, List.of(), List.of());

        assertThat(proof.firstFailure().orElseThrow().detail()).startsWith("the original does not load: it fails with OSError: "
                + "PortAudio library not found (line 1); the rewrite loads, which would only move the failure to the first use");
    }

    @Test
    void anImportThatEndsTheProcessIsALoadFailureWithWhatItPrinted() throws IOException {
        String original = """
                import os
                print("giving up", flush=True)
                os._exit(3)
                """;
        Proof proof = prove("agents/agent.py", original, original + "\n", List.of(), List.of());

        assertThat(proof.firstFailure().orElseThrow().detail()).startsWith("the original does not load: it fails with NoReport: "
                + "the interpreter exited with status 3 before the load finished: giving up");
    }

    @Test
    void issue16LoadsSeeTheArgvAndMainModuleOfPythonScriptWithoutItsMainBlock() throws IOException {
        Path script = root.resolve("agents/agent.py");
        String original = """
                import sys
                import __main__
                import argparse

                ARGS = argparse.ArgumentParser().parse_args()
                if sys.argv != [%s]:
                    raise SystemExit("argv is %%r" %% sys.argv)
                if __main__.__dict__ is not globals():
                    raise SystemExit("__main__ is %%r" %% __main__)
                if sys.path[0] != %s:
                    raise SystemExit("sys.path[0] is %%r" %% sys.path[0])
                if __name__ == "__main__":
                    raise SystemExit("the main block ran")
                """.formatted(pyString(script), pyString(root.toRealPath().resolve("agents")));
        write("agents/agent.py", original);
        try (Profiler profiler = new Profiler(Duration.ofSeconds(60), root.resolve(".cache"))) {
            var sample = profiler.sample(target(script), 1);
            assertThat(sample.ok()).as("%s", sample.error()).isTrue();
        }
        Proof proof = prove("agents/agent.py", original, original.replace("import argparse\n", "import argparse\n__import__(\"colorsys\")\n"),
                List.of(), List.of());
        assertThat(proof.checks()).anyMatch(c -> c.name().equals("loads") && c.outcome() == ProofCheck.Outcome.PASSED);
        String state = proof.checks().stream().filter(c -> c.name().equals(LoadedState.NAME)).findFirst().orElseThrow().detail();
        assertThat(state).contains("sys.modules gains colorsys");
    }

    @Test
    void issue17FleetshellsOwnProbeNeverImportsAJsonPyPlantedBesideTheAgent() throws IOException {
        write("agents/json.py", """
                import sys
                sys.stderr.write("planted json imported\\n")

                def dumps(value, **kwargs):
                    return "PWNED"

                def loads(text, **kwargs):
                    return {"ok": False, "error_type": "PWNED", "message": "PWNED"}
                """);
        String original = """
                import json
                import colorsys

                def dump(value):
                    return json.dumps(value)
                """;
        write("agents/agent.py", original);
        Path script = root.resolve("agents/agent.py");
        try (Profiler profiler = new Profiler(Duration.ofSeconds(60), root.resolve(".cache"))) {
            var sample = profiler.sample(new ProfileTarget(new AgentId("m", "agent"), script, PYTHON, root,
                    Map.of("PYTHONPATH", root.resolve("agents").toString())), 1);
            assertThat(sample.ok()).as("%s", sample.error()).isTrue();
            assertThat(sample.statements()).extracting(statement -> statement.module()).contains("json", "colorsys");
        }
        Proof proof = prove("agents/agent.py", original, original.replace("import colorsys\n", ""), List.of(), List.of("colorsys"));
        assertThat(proof.firstFailure()).isEmpty();
        assertThat(proof.checks()).extracting(ProofCheck::name).contains("loads", LoadedState.NAME);
    }

    private Proof prove(String file, String original, String rewritten, List<String> deferred, List<String> removed) throws IOException {
        write(file, original);
        Path script = root.resolve(file);
        Prover prover = new Prover(new Prover.Settings(0, 0.05, Duration.ofSeconds(60), Duration.ofSeconds(60)), root.resolve(".cache"));
        return prover.prove(new Prover.Subject(target(script), new Rewrite("test", script, original.getBytes(StandardCharsets.UTF_8),
                rewritten.getBytes(StandardCharsets.UTF_8), List.of()), deferred, removed, null));
    }

    private static String pyString(Path path) {
        return "'" + path.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private ProfileTarget target(Path script) {
        return new ProfileTarget(new AgentId("m", "agent"), script, PYTHON, root, Map.of());
    }

    private void write(String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }
}
