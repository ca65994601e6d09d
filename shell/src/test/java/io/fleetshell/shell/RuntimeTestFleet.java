package io.fleetshell.shell;

import io.fleetshell.engine.demo.DemoFleet;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A fleet directory for runtime tests: the demo fleet's files plus one copy of {@code test_agent.py} per mode
 * ({@code test_ok.py}, {@code test_hang.py}, ...), and the clean-up that kills whatever a test left
 * running (by the pid files under the test's FLEETSHELL_HOME, never by name).
 */
final class RuntimeTestFleet {

    static final List<String> MODES = List.of("ok", "error", "hang", "stubborn", "badmetrics");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RuntimeTestFleet() {
    }

    static void install(Path fleet) {
        new DemoFleet().install(fleet, false);
        try (InputStream in = RuntimeTestFleet.class.getResourceAsStream("test_agent.py")) {
            String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String mode : MODES) {
                Files.writeString(fleet.resolve("test_" + mode + ".py"), template.replace("__MODE__", mode));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills every process the home's pid files name, and the pids in {@code extraPidFiles}; never this JVM. */
    static void killLeftovers(Path home, Path... extraPidFiles) throws IOException {
        List<Long> pids = new ArrayList<>();
        Path run = home.resolve("run");
        if (Files.isDirectory(run)) {
            try (Stream<Path> files = Files.walk(run)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                    pids.add(JSON.readTree(Files.readString(f)).get("pid").asLong());
                }
            }
        }
        for (Path extra : extraPidFiles) {
            if (Files.exists(extra)) {
                pids.add(Long.parseLong(Files.readString(extra).trim()));
            }
        }
        pids.stream().filter(p -> p != ProcessHandle.current().pid())
                .forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
    }
}
