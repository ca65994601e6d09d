package io.fleetshell.scripts;

import io.fleetshell.shell.FleetshellApplication;
import org.springframework.boot.SpringApplication;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** The real fleetshell, one-shot in this JVM, against a given home: as cron runs it. */
final class Shell {

    /** What one command printed and returned. */
    record Run(int status, String out, String err) {
    }

    private final Path home;

    Shell(Path home) {
        this.home = home;
    }

    synchronized Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            SpringApplication app = FleetshellApplication.application();
            app.setDefaultProperties(Map.of("fleetshell.home", home.toString()));
            int status = SpringApplication.exit(app.run(args));
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
