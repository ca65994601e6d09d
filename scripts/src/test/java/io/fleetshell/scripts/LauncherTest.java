package io.fleetshell.scripts;

import io.fleetshell.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./fleetshell} as a user runs it, on the application this build packaged: the launcher prepares the
 * extracted jar, SQLite's native library and the JDK AOT cache (trained on a REPL session), and starts the JVM
 * with Spring AOT's generated code. The test's JVM options make each of these a condition of a clean run:
 * {@code -XX:AOTMode=on} refuses to start without a usable AOT cache, {@code spring.aot.enabled} refuses to start
 * without the generated code, and {@code -XshowSettings:properties} shows what the launcher set.
 */
class LauncherTest {

    @TempDir
    Path home;

    @Test
    void versionRunsThroughTheLauncherOnItsAotCacheAndSpringAotCode() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path stdout = home.resolve("stdout");
        Path stderr = home.resolve("stderr");
        ProcessBuilder launcher = new ProcessBuilder(root.resolve("fleetshell").toString(), "version")
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        launcher.environment().put("FLEETSHELL_HOME", home.resolve("home").toString());
        launcher.environment().put("FLEETSHELL_JAVA_OPTS", "-XX:AOTMode=on -XshowSettings:properties");
        // The first run after a build prepares the app and trains the cache: about a minute on a loaded machine.
        int status = Await.exit(launcher.start(), Duration.ofMinutes(8));

        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(status).as(err).isZero();
        assertThat(Files.readString(stdout, StandardCharsets.UTF_8)).startsWith("fleetshell ").contains("Java 25");
        assertThat(err).contains("spring.aot.enabled = true", "org.sqlite.lib.name = ");
    }
}
