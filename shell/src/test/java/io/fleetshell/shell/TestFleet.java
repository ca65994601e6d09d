package io.fleetshell.shell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small fleet on disk for shell tests: two machines in the two config formats. */
public final class TestFleet {

    private final Path root;

    public TestFleet(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path write(String relative, String text) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** mainpc: agent_groups format, 3 agents (one infrastructure). */
    public Path mainpc() {
        write("main_pc_code/agents/service_registry.py", "print('registry')\n");
        write("main_pc_code/agents/tutor_agent.py", "import json\n");
        write("main_pc_code/agents/memory.py", "import json\n");
        return write("main_pc_code/config/startup_config.yaml", """
                global_settings:
                  environment: {LOG_LEVEL: INFO}
                agent_groups:
                  core_services:
                    ServiceRegistry:
                      script_path: main_pc_code/agents/service_registry.py
                      port: ${PORT_OFFSET}+7200
                      health_check_port: ${PORT_OFFSET}+8200
                      required: true
                  learning:
                    TutorAgent:
                      script_path: main_pc_code/agents/tutor_agent.py
                      port: ${PORT_OFFSET}+7210
                      health_check_port: ${PORT_OFFSET}+8210
                      dependencies: [ServiceRegistry]
                    MemoryOrchestrator:
                      script_path: main_pc_code/agents/memory.py
                      port: 7220
                """);
    }

    /** pc2: a services list, 2 agents and one entry that is not an agent. */
    public Path pc2() {
        write("pc2_code/agents/tutor_agent.py", "import json\n");
        write("pc2_code/agents/translation.py", "import json\n");
        return write("pc2_code/config/startup_config.yaml", """
                pc2_services:
                  - name: TutorAgent
                    script_path: pc2_code/agents/tutor_agent.py
                    host: 0.0.0.0
                    port: ${PORT_OFFSET}+7100
                    health_check_port: ${PORT_OFFSET}+8100
                  - name: TranslationService
                    script_path: pc2_code/agents/translation.py
                    port: 7101
                  - name: RedisCache
                    port: 6379
                """);
    }
}
