package io.fleetshell.engine.inventory;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One agent of the fleet as its startup config describes it, with its script resolved.
 *
 * @param id            machine and name
 * @param group         the group it is listed under ({@code agent_groups:} key, or the list key such as {@code pc2_services})
 * @param scriptPath    the script path exactly as written in the config
 * @param script        where the script was found
 * @param host          the host the agent binds, when the config says
 * @param port          the service port after expansion, or null
 * @param healthCheckPort the health-check port after expansion, or null
 * @param required      whether the fleet needs it to be up
 * @param dependencies  names of agents it depends on
 * @param config        the agent's own {@code config:} map, expanded
 * @param commands      the commands configured for it ({@code test_command}, {@code restart_command})
 * @param infrastructure whether it is an infrastructure agent (never optimized)
 * @param configFile    the startup config it came from (absolute)
 * @param configLine    the 1-based line of its entry in that file
 * @param language      {@code language:} of the entry, else detected from the script's extension
 * @param java          how a Java agent is built and run; null for a Python agent
 */
public record Agent(
        AgentId id,
        String group,
        String scriptPath,
        ScriptResolution script,
        String host,
        Integer port,
        Integer healthCheckPort,
        boolean required,
        List<String> dependencies,
        Map<String, Object> config,
        AgentCommands commands,
        boolean infrastructure,
        Path configFile,
        int configLine,
        Language language,
        JavaLaunch java) {

    public Agent {
        language = language == null ? Language.detect(scriptPath) : language;
        java = language == Language.JAVA ? (java == null ? JavaLaunch.DEFAULT : java) : null;
        dependencies = List.copyOf(dependencies);
        commands = commands == null ? AgentCommands.NONE : commands;
        config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    /** An agent whose language follows from its script's extension (a Java one with the default launch). */
    public Agent(AgentId id, String group, String scriptPath, ScriptResolution script, String host, Integer port,
                 Integer healthCheckPort, boolean required, List<String> dependencies, Map<String, Object> config,
                 AgentCommands commands, boolean infrastructure, Path configFile, int configLine) {
        this(id, group, scriptPath, script, host, port, healthCheckPort, required, dependencies, config, commands,
                infrastructure, configFile, configLine, null, null);
    }

    public String name() {
        return id.name();
    }

    public String machine() {
        return id.machine();
    }
}
