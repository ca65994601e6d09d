package io.fleetshell.scripts;

import io.fleetshell.shell.FleetshellApplication;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.SpringApplication;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs every shipped command script through the real shell, one-shot, on a fresh home. */
class ShippedScriptsTest {

    @TempDir
    Path home;

    static List<Path> scripts() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("."))) {
            return files.filter(f -> f.toString().endsWith(".fsh")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("scripts")
    void runsToTheEndWithExitStatusZero(Path script) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            SpringApplication app = FleetshellApplication.application();
            app.setDefaultProperties(Map.of("fleetshell.home", home.toString()));
            status = SpringApplication.exit(app.run("script", script.toString()));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        assertThat(status).as("stdout:%n%s%nstderr:%n%s", out, err).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("error:");
    }

    @org.junit.jupiter.api.Test
    void thereIsAtLeastOneScript() throws IOException {
        assertThat(scripts()).isNotEmpty();
    }
}
