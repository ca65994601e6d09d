package io.fleetshell.shell;

import io.fleetshell.engine.Checksums;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** batch deploy over a Python and a Java agent of the demo, each with its own language's patterns and proof, then rollback. */
class MixedBatchDeployTest {

    @TempDir
    Path home;

    @Test
    void aMixedPythonAndJavaBatchDeploysWithProofsAndRollsBackByteExact() throws Exception {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        for (String config : List.of("demo/main_pc_code/config/startup_config.yaml", "demo/pc2_code/config/startup_config.yaml")) {
            Path file = home.resolve(config);
            Files.writeString(file, Files.readString(file).replace("${PORT_OFFSET}+", "23000+"));
        }
        assertThat(shell.oneShot("inventory", "refresh").status()).isZero();
        Map<String, String> originals = new LinkedHashMap<>();
        for (String file : List.of("pc2_code/agents/async_processor.py", "main_pc_code/jvm/KnowledgeIndexAgent.java")) {
            originals.put(file, Checksums.sha256(home.resolve("demo").resolve(file)));
        }

        ShellHarness.Run deploy = shell.oneShot("batch", "deploy", "--agents", "AsyncProcessor,KnowledgeIndexAgent",
                "--batch-size", "2", "--runs", "4", "--yes");
        assertThat(deploy.status()).as(deploy.err()).isZero();
        assertThat(deploy.out()).contains("java_unused_imports+java_lazy_holder", "lazy_loading");
        assertThat(Files.readString(home.resolve("demo/main_pc_code/jvm/KnowledgeIndexAgent.java")))
                .contains("private static final class IndexHolder {").doesNotContain("import java.util.concurrent.TimeUnit;");
        assertThat(Checksums.sha256(home.resolve("demo/pc2_code/agents/async_processor.py")))
                .isNotEqualTo(originals.get("pc2_code/agents/async_processor.py"));

        ShellHarness.Run explained = shell.oneShot("explain", "1.1.2");
        assertThat(explained.status()).as(explained.err()).isZero();
        assertThat(explained.out()).contains("start-up", "compiles with javax.tools");

        ShellHarness.Run rollback = shell.oneShot("rollback", "--deployment", "1", "--yes");
        assertThat(rollback.status()).as(rollback.err()).isZero();
        originals.forEach((file, sha) -> assertThat(Checksums.sha256(home.resolve("demo").resolve(file))).as(file).isEqualTo(sha));
    }
}
