package io.fleetshell.engine.host;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code remote_files.py}, the program {@link SshHost} runs on a machine, on its own: bytes cut short in transit (a
 * connection that dropped mid-write ends its stdin early) are refused before anything is written, so the original stays.
 */
class RemoteFilesScriptTest {

    @TempDir
    Path dir;

    @Test
    void contentCutShortInTransitWritesNothing() throws Exception {
        String script;
        try (InputStream in = SshHost.class.getResourceAsStream("/io/fleetshell/host/remote_files.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path target = Files.writeString(dir.resolve("agent.py"), "original\n");
        byte[] sent = "the whole rewrite\n".getBytes(StandardCharsets.UTF_8);
        byte[] arrived = java.util.Arrays.copyOf(sent, 7);

        ProcessResult cut = ProcessRun.of("python3", "-c", script, "write", target.toString(), dir.resolve(".agent.py.tmp").toString(), "", "", "", "",
                Checksums.sha256(sent)).stdin(arrived).timeout(Duration.ofSeconds(60)).run();

        assertThat(cut.exitStatus()).isEqualTo(3);
        assertThat(cut.stdout()).contains("\"kind\": \"incomplete\"", "nothing was written");
        assertThat(Files.readString(target)).isEqualTo("original\n");
        assertThat(Files.exists(dir.resolve(".agent.py.tmp"))).isFalse();

        ProcessResult whole = ProcessRun.of("python3", "-c", script, "write", target.toString(), dir.resolve(".agent.py.tmp").toString(), "", "", "", "",
                Checksums.sha256(sent)).stdin(sent).timeout(Duration.ofSeconds(60)).run();
        assertThat(whole.exitStatus()).as(whole.stdout() + whole.stderr()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(sent);
    }
}
