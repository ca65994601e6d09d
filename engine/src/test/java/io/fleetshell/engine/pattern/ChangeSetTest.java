package io.fleetshell.engine.pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeSetTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCreatedFileHasNoBytesBeforeAndItsDiffCreatesItWhenPatchApplies(@TempDir Path dir) throws Exception {
        Path helper = dir.resolve("_fleetshell_lazy.py");
        Rewrite created = Rewrite.creating("lazy_loading", helper, bytes("def lazy():\n    pass\n"), List.of());

        assertThat(created.createsFile()).isTrue();
        assertThat(created.before()).isEmpty();
        assertThat(created.changes()).isTrue();
        assertThat(created.unifiedDiff()).startsWith("--- /dev/null\n+++ b/_fleetshell_lazy.py (lazy_loading)\n");

        Path patch = Files.write(dir.resolve("create.diff"), created.unifiedDiffBytes());
        Process run = new ProcessBuilder("patch", "-s", helper.toString(), "-i", patch.toString())
                .redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor()).as(output).isZero();
        assertThat(Files.readAllBytes(helper)).isEqualTo(created.after());
    }

    @Test
    void creatingAnEmptyFileIsStillAChange(@TempDir Path dir) {
        assertThat(Rewrite.creating("p", dir.resolve("__init__.py"), new byte[0], List.of()).changes()).isTrue();
        assertThat(new Rewrite("p", dir.resolve("a.py"), bytes("x\n"), bytes("x\n"), List.of()).changes()).isFalse();
    }

    @Test
    void aRewriteOfAnExistingFileIsNotACreation(@TempDir Path dir) {
        Rewrite rewrite = new Rewrite("p", dir.resolve("a.py"), bytes("x = 1\n"), bytes("x = 2\n"), List.of());

        assertThat(rewrite.createsFile()).isFalse();
        assertThat(rewrite.unifiedDiff()).startsWith("--- a/a.py\n+++ b/a.py (p)\n");
        assertThatThrownBy(() -> new Rewrite("p", dir.resolve("a.py"), bytes("x"), bytes("y"), List.of(), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no bytes before");
    }

    @Test
    void aChangeSetListsWhatItWritesAndCreatesInOrder(@TempDir Path dir) {
        Rewrite helper = Rewrite.creating("lazy_loading", dir.resolve("_fleetshell_lazy.py"), bytes("h = 1\n"), List.of());
        Rewrite module = new Rewrite("lazy_loading", dir.resolve("base.py"), bytes("import numpy\n"), bytes("import _fleetshell_lazy\n"), List.of());
        Rewrite same = Rewrite.unchanged("lazy_loading", dir.resolve("other.py"), bytes("y = 1\n"), List.of("nothing to defer"));

        ChangeSet set = new ChangeSet("lazy_loading", List.of(helper, module, same), List.of("proved on 3 dependents"));

        assertThat(set.changes()).isTrue();
        assertThat(set.changed()).containsExactly(helper, module);
        assertThat(set.created()).containsExactly(dir.resolve("_fleetshell_lazy.py"));
        assertThat(set.unifiedDiff()).isEqualTo(helper.unifiedDiff() + module.unifiedDiff());
        assertThat(new String(set.unifiedDiffBytes(), StandardCharsets.UTF_8)).isEqualTo(set.unifiedDiff());
        assertThat(ChangeSet.of(same).changes()).isFalse();
        assertThat(ChangeSet.of(same).unifiedDiffBytes()).isEmpty();
    }

    @Test
    void aChangeSetNamesEachFileOnceAndAtLeastOne(@TempDir Path dir) {
        Rewrite one = new Rewrite("p", dir.resolve("a.py"), bytes("x"), bytes("y"), List.of());
        Rewrite again = new Rewrite("p", dir.resolve("sub/../a.py"), bytes("x"), bytes("z"), List.of());

        assertThatThrownBy(() -> new ChangeSet("p", List.of(one, again), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> new ChangeSet("p", List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no file");
    }
}
