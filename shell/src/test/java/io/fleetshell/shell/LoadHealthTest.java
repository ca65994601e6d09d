package io.fleetshell.shell;

import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16 item 8: {@code profile} explains the fleet's load health as a whole. A fixture fleet whose agents fail to
 * load for each cause real fleets show, each failure real (the interpreter raises it): the summary groups them by
 * cause, names the module, line, package or library, and gives the fix.
 */
class LoadHealthTest {

    @TempDir
    Path home;
    @TempDir
    Path fleet;

    private final JsonMapper json = JsonMapper.builder().build();

    private void agent(String file, String source) throws IOException {
        Path path = fleet.resolve("agents").resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, source);
    }

    @Test
    void failuresAreGroupedByCauseWithTheirFix() throws IOException {
        agent("healthy.py", "import json\n");
        agent("broken_syntax.py", "import os\n\ndef handler(:\n    pass\n");
        agent("shared/formatting.py", "def fmt(x):\n    return x +\n");
        agent("uses_shared_a.py", "import os\nfrom shared import formatting\n");
        agent("uses_shared_b.py", "from shared import formatting\n");
        agent("needs_package.py", "import fleetshell_absent_package.sub\n");
        agent("needs_library.py", "import ctypes\nctypes.CDLL('libfleetshellaudio.so.2')\n");
        agent("connects.py", "import socket\nsocket.create_connection(('127.0.0.1', %d), timeout=5)\n".formatted(Ports.free()));
        agent("relative.py", "from . import helpers\n");
        agent("needs_common.py", "import common.settings\n");
        Files.createDirectories(fleet.resolve("common"));
        Files.writeString(fleet.resolve("common/__init__.py"), "");
        Files.writeString(fleet.resolve("common/settings.py"), "");
        StringBuilder config = new StringBuilder("agent_groups:\n  core:\n");
        for (String name : new String[]{"Healthy", "BrokenSyntax", "UsesSharedA", "UsesSharedB", "NeedsPackage", "NeedsLibrary", "Connects",
                "Relative", "NeedsCommon"}) {
            String file = name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase() + ".py";
            config.append("    %s: {script_path: agents/%s}\n".formatted(name, file));
        }
        Path startup = Files.writeString(fleet.resolve("startup.yaml"), config.toString());
        ShellHarness shell = new ShellHarness(home);
        ShellHarness.Run load = shell.oneShot("inventory", "load", startup.toString(), "--machine", "m");
        assertThat(load.status()).as(load.err()).isZero();

        ShellHarness.Run profile = shell.oneShot("profile", "--runs", "1", "--parallel", "2");
        assertThat(profile.status()).as(profile.err()).isZero();
        assertThat(profile.out()).contains("Load health: 1 of 9 agents loaded; 8 failed:",
                "1 syntax error in the agent's file: m/BrokenSyntax (broken_syntax.py line 3)",
                "2 syntax error in a shared module it imports: m/UsesSharedA (agents/shared/formatting.py:2, imported at line 2), "
                        + "m/UsesSharedB (agents/shared/formatting.py:2, imported at line 1)",
                "fix the shared module once (agents/shared/formatting.py:2)",
                "1 package not installed: m/NeedsPackage (fleetshell_absent_package)",
                "-m pip install fleetshell_absent_package",
                "1 fleet module not on sys.path: m/NeedsCommon ('common' found at common)",
                "1 system library missing: m/NeedsLibrary (libfleetshellaudio.so.2)",
                "1 network or daemon connection at import: m/Connects (the service it connects to, ConnectionRefusedError)",
                "1 relative import in a file run as a script: m/Relative (relative.py line 1)");

        JsonNode summary = json.readTree(shell.oneShot("profile", "--runs", "1", "--json").out()).get("summary");
        assertThat(summary.get("loaded").asInt()).isEqualTo(1);
        assertThat(summary.get("groups").findValuesAsString("cause")).containsExactly("syntax_in_agent", "syntax_in_shared_module",
                "missing_package", "repository_path", "missing_system_library", "connection_at_import", "relative_import_in_script");
    }
}
