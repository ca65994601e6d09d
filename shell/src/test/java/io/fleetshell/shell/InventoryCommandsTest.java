package io.fleetshell.shell;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** One-shot runs of the real application: exit statuses, stdout, stderr, JSON. */
class InventoryCommandsTest {

    @TempDir
    Path home;
    @TempDir
    Path fleetDir;

    private ShellHarness shell;
    private TestFleet fleet;
    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeEach
    void setUp() {
        shell = new ShellHarness(home);
        fleet = new TestFleet(fleetDir);
    }

    @Test
    void anEmptyInventoryListsNothingAndSaysWhatToDo() {
        ShellHarness.Run run = shell.oneShot("inventory", "list");
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("The inventory is empty", "demo init", "inventory load FILE");
    }

    @Test
    void loadsBothFormatsAndListsThemAsJson() {
        ShellHarness.Run load = shell.oneShot("inventory", "load", fleet.mainpc().toString(), fleet.pc2().toString());
        assertThat(load.status()).as(load.err()).isZero();
        assertThat(load.out()).contains("machine mainpc, 3 agents (1 infrastructure)", "machine pc2, 2 agents");
        assertThat(load.err()).contains("RedisCache is not an agent (no script_path): skipped");

        ShellHarness.Run list = shell.oneShot("inventory", "list", "--json");
        assertThat(list.status()).isZero();
        assertThat(list.err()).isEmpty();
        JsonNode agents = json.readTree(list.out()).get("agents");
        assertThat(agents).hasSize(5);
        JsonNode registry = agents.get(0);
        assertThat(registry.get("name").asString()).isEqualTo("MemoryOrchestrator");
        JsonNode serviceRegistry = agents.get(1);
        assertThat(serviceRegistry.propertyNames()).containsExactly("name", "machine", "group", "script_path", "script", "script_status",
                "script_detail", "host", "port", "health_check_port", "required", "dependencies", "infrastructure", "language", "python",
                "config", "config_file", "config_line");
        assertThat(serviceRegistry.get("name").asString()).isEqualTo("ServiceRegistry");
        assertThat(serviceRegistry.get("machine").asString()).isEqualTo("mainpc");
        assertThat(serviceRegistry.get("group").asString()).isEqualTo("core_services");
        assertThat(serviceRegistry.get("script_path").asString()).isEqualTo("main_pc_code/agents/service_registry.py");
        assertThat(serviceRegistry.get("port").asInt()).isEqualTo(7200);
        assertThat(serviceRegistry.get("health_check_port").asInt()).isEqualTo(8200);
        assertThat(serviceRegistry.get("infrastructure").asBoolean()).isTrue();
        assertThat(agents.get(3).get("machine").asString()).isEqualTo("pc2");

        ShellHarness.Run table = shell.oneShot("inventory", "list", "--machine", "pc2");
        assertThat(table.out()).contains("TutorAgent", "TranslationService").doesNotContain("ServiceRegistry");
        assertThat(table.err()).contains("2 agents on 1 machine.");
    }

    @Test
    void unknownAgentsExitTwoWithSuggestions() {
        shell.oneShot("inventory", "load", fleet.mainpc().toString());
        ShellHarness.Run run = shell.oneShot("inventory", "show", "TutorAgnet");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("no agent named TutorAgnet", "did you mean TutorAgent");
        ShellHarness.Run none = shell.oneShot("inventory", "show", "NoSuchAgent");
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("no agent named NoSuchAgent in the inventory; the closest names are TutorAgent, ", "(inventory list shows all 3)");
        assertThat(shell.oneShot("inventory", "list", "--machine", "mainp").err()).contains("did you mean mainpc?");
    }

    @Test
    void theSameNameOnTwoMachinesMustBeQualified() {
        shell.oneShot("inventory", "load", fleet.mainpc().toString(), fleet.pc2().toString());
        ShellHarness.Run ambiguous = shell.oneShot("inventory", "show", "TutorAgent");
        assertThat(ambiguous.status()).isEqualTo(2);
        assertThat(ambiguous.err()).contains("TutorAgent is on 2 machines; name one: mainpc/TutorAgent, pc2/TutorAgent");
        ShellHarness.Run show = shell.oneShot("inventory", "show", "pc2/TutorAgent");
        assertThat(show.status()).isZero();
        assertThat(show.out()).contains("pc2/TutorAgent", "0.0.0.0", "7100");
    }

    @Test
    void brokenYamlExitsTwoNamingFileAndLineAndLoadsNothing() {
        Path broken = fleet.write("broken/startup.yaml", "agent_groups:\n  core:\n    A:\n      script_path: a.py\n      port: [7200\n    B: {script_path: b.py}\n");
        ShellHarness.Run run = shell.oneShot("inventory", "load", fleet.mainpc().toString(), broken.toString());
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains(broken + ":6:", "broken YAML", "Nothing was loaded");
        assertThat(run.out()).isEmpty();
        assertThat(shell.oneShot("inventory", "list").err()).contains("The inventory is empty");
    }

    @Test
    void refreshReportsAddedRemovedAndChangedAgents() throws Exception {
        Path config = fleet.mainpc();
        shell.oneShot("inventory", "load", config.toString());
        Files.writeString(config, Files.readString(config)
                .replace("port: 7220", "port: 7221")
                .replace("""
                            TutorAgent:
                              script_path: main_pc_code/agents/tutor_agent.py
                              port: ${PORT_OFFSET}+7210
                              health_check_port: ${PORT_OFFSET}+8210
                              dependencies: [ServiceRegistry]
                        """, """
                            NewAgent:
                              script_path: main_pc_code/agents/tutor_agent.py
                        """));
        ShellHarness.Run run = shell.oneShot("inventory", "refresh");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("Added mainpc/NewAgent; removed mainpc/TutorAgent; changed mainpc/MemoryOrchestrator (port)");

        ShellHarness.Run again = shell.oneShot("inventory", "refresh", "--json");
        JsonNode result = json.readTree(again.out());
        assertThat(result.propertyNames()).containsExactly("configs", "added", "removed", "changed", "machines_changed", "notices");
        assertThat(result.get("configs").get(0).propertyNames()).containsExactly("file", "machine", "root", "sha256", "agents");
        assertThat(result.get("added")).isEmpty();
        assertThat(result.get("changed")).isEmpty();
        Files.writeString(config, Files.readString(config).replace("port: 7221", "port: 7222"));
        JsonNode changed = json.readTree(shell.oneShot("inventory", "refresh", "--json").out()).get("changed");
        assertThat(changed.get(0).propertyNames()).containsExactly("agent", "fields");
        assertThat(changed.get(0).get("agent").asString()).isEqualTo("mainpc/MemoryOrchestrator");

        Files.delete(config);
        ShellHarness.Run gone = shell.oneShot("inventory", "refresh");
        assertThat(gone.status()).isEqualTo(2);
        assertThat(gone.err()).contains("does not exist", "If it was removed on purpose: inventory unload " + config);
        assertThat(shell.oneShot("inventory", "unload", config.toString()).status()).isZero();
        assertThat(shell.oneShot("inventory", "list").err()).contains("The inventory is empty");
    }

    @Test
    void historyRecordsStateChangingCommandsWithTheirArguments() {
        Path config = fleet.mainpc();
        shell.oneShot("inventory", "load", config.toString());
        shell.oneShot("inventory", "load", fleet.root().resolve("missing.yaml").toString());
        shell.oneShot("inventory", "list");
        ShellHarness.Run history = shell.oneShot("history", "--json");
        assertThat(history.status()).isZero();
        JsonNode events = json.readTree(history.out()).get("events");
        assertThat(events).hasSize(2); // list changes nothing and is not recorded
        assertThat(events.get(0).propertyNames()).containsExactly("id", "at", "command", "arguments", "exit_status", "outcome",
                "summary", "agents", "pid", "host");
        assertThat(events.get(0).get("exit_status").asInt()).isEqualTo(2);
        assertThat(events.get(0).get("outcome").asString()).isEqualTo("invalid");
        assertThat(events.get(1).get("arguments").toString()).isEqualTo("[\"inventory\",\"load\",\"" + config + "\"]");
        assertThat(events.get(1).get("summary").asString()).contains("3 agents");
        assertThat(events.get(1).get("agents")).hasSize(3);

        ShellHarness.Run forAgent = shell.oneShot("history", "--agent", "TutorAgent", "--limit", "5");
        assertThat(forAgent.out()).contains("inventory load").hasLineCount(2);
        assertThat(shell.oneShot("history", "--limit", "abc").err()).contains("--limit takes a whole number, not 'abc'");
    }

    @Test
    void valuesArriveExactlyAsTypedWithSpacesEqualsAndBrackets() {
        Path odd = fleet.write("my fleet [v2]/conf=a b/startup config.yaml", """
                agent_groups:
                  g:
                    Odd: {script_path: "agents/odd agent.py"}
                """);
        fleet.write("my fleet [v2]/agents/odd agent.py", "");
        Path root = fleet.root().resolve("my fleet [v2]");
        ShellHarness.Run run = shell.oneShot("inventory", "load", odd.toString(), "--root=" + root, "--machine", "m-1");
        assertThat(run.status()).as(run.err()).isZero();
        ShellHarness.Run show = shell.oneShot("inventory", "show", "m-1/Odd", "--json");
        assertThat(json.readTree(show.out()).get("script").asString()).isEqualTo(root.resolve("agents/odd agent.py").toString());
    }

    @Test
    void badCommandLinesExitTwoWithTheFix() {
        assertThat(shell.oneShot("inventori", "list")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.err()).contains("unknown command 'inventori' (did you mean inventory?)");
        });
        assertThat(shell.oneShot("inventory", "lst").err()).contains("inventory lst is not a command; inventory has: inventory env, inventory list");
        assertThat(shell.oneShot("inventory", "list", "--machin", "x").err()).contains("did you mean --machine?");
        assertThat(shell.oneShot("inventory", "list", "--machine").err()).contains("--machine needs a value");
        assertThat(shell.oneShot("inventory", "list", "extra").err()).contains("inventory list takes no arguments; 'extra' is one too many");
        assertThat(shell.oneShot("inventory", "list", "--json", "--json").err()).contains("--json is given twice");
        assertThat(shell.oneShot("inventory", "load").status()).isEqualTo(2);
    }

    @Test
    void helpIsGroupedByTopicAndDescribesOneCommand() {
        ShellHarness.Run help = shell.oneShot("help");
        assertThat(help.out()).containsSubsequence("Inventory", "inventory load", "Demo", "demo init", "History", "history", "Shell", "script FILE");
        // The overview keeps one short line per command; help COMMAND has the rest.
        assertThat(help.out()).contains("Stop agents fleetshell runs.\n", "Run the commands in FILE, one per line.\n")
                .doesNotContain("SIGKILL if the agent");
        ShellHarness.Run one = shell.oneShot("inventory", "load", "--help");
        assertThat(one.status()).isZero();
        assertThat(one.out()).contains("Usage: inventory load FILE|MACHINE:/PATH... [--machine NAME] [--root DIR] [--json]", "--root ROOT");
        assertThat(shell.oneShot("help", "inventory", "show").out()).contains("Usage: inventory show AGENT");
    }
}
