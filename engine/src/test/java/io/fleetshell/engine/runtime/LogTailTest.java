package io.fleetshell.engine.runtime;

import io.fleetshell.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class LogTailTest {

    @TempDir
    Path dir;

    @Test
    void lastLinesComeFromTheEndEvenAcrossBlocksAndWithoutATrailingNewline() throws IOException {
        Path log = dir.resolve("a.log");
        String line = "x".repeat(5000);
        Files.writeString(log, String.join("\n", IntStream.range(0, 10).mapToObj(i -> i + line).toList()) + "\n");
        LogTail.End end = new LogTail(log).last(3);
        assertThat(end.lines()).extracting(l -> l.charAt(0)).containsExactly('7', '8', '9');
        assertThat(end.offset()).isEqualTo(Files.size(log));
        assertThat(new LogTail(log).last(0).lines()).hasSize(10);
        assertThat(new LogTail(log).last(50).lines()).hasSize(10);

        Files.writeString(log, "one\ntwo\nthree");
        assertThat(new LogTail(log).last(2).lines()).containsExactly("two", "three");
    }

    @Test
    void followHandsOverAppendedLinesWholeAndStartsAgainWhenTheLogIsTruncated() throws Exception {
        Path log = dir.resolve("b.log");
        Files.writeString(log, "old\n");
        List<String> lines = new CopyOnWriteArrayList<>();
        List<String> notices = new CopyOnWriteArrayList<>();
        long offset = new LogTail(log).last(1).offset();
        Thread follower = Thread.ofPlatform().start(() -> {
            try {
                new LogTail(log).follow(offset, lines::add, notices::add);
            } catch (IOException e) {
                lines.add("failed: " + e);
            }
        });
        append(log, "new 1\nnew 2 is ");
        Await.until("the first whole line", Duration.ofSeconds(30), () -> lines.contains("new 1"));
        append(log, "whole, caf\u00e9\n");
        Await.until("the line finished later", Duration.ofSeconds(30), () -> lines.contains("new 2 is whole, caf\u00e9"));
        Files.writeString(log, "after\n");
        Await.until("the truncated log read from its start", Duration.ofSeconds(30), () -> lines.contains("after"));
        assertThat(notices).singleElement().asString().contains("truncated or replaced");
        follower.interrupt();
        follower.join(Duration.ofSeconds(30));
        assertThat(follower.isAlive()).isFalse();
        assertThat(lines).containsExactly("new 1", "new 2 is whole, caf\u00e9", "after");
    }

    private static void append(Path log, String text) throws IOException {
        Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
