package io.fleetshell.engine.java;

import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden before/after checks for the Java patterns: {@code after == null} means "leaves it alone". */
final class JavaRewriteAssert {

    private JavaRewriteAssert() {
    }

    static PatternInput<JavaFacts> input(String source, Map<String, String> options) {
        byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
        Path file = Path.of("/fleet/Agent.java");
        return new PatternInput<>("Agent", file, bytes, new JavaAnalyzer().analyze(file, bytes), null, options);
    }

    static Rewrite assertRewrite(Pattern<JavaFacts> pattern, String before, String after) {
        return assertRewrite(pattern, before, after, Map.of());
    }

    static Rewrite assertRewrite(Pattern<JavaFacts> pattern, String before, String after, Map<String, String> options) {
        PatternInput<JavaFacts> input = input(before, options);
        Rewrite rewrite = pattern.rewrite(input);
        if (after == null) {
            assertThat(pattern.validate(input).applies()).as("validate: %s", pattern.validate(input).reasons()).isFalse();
            assertThat(rewrite.changes()).as("rewrite of a case it must leave alone:%n%s", rewrite.unifiedDiff()).isFalse();
        } else {
            assertThat(pattern.validate(input).applies()).as("validate: %s", pattern.validate(input).reasons()).isTrue();
            assertThat(new String(rewrite.after(), StandardCharsets.UTF_8)).isEqualTo(after);
            // a rewrite is complete: applying the pattern again finds nothing left to do
            PatternInput<JavaFacts> again = input(after, options);
            assertThat(pattern.rewrite(again).changes()).as("second application changes more").isFalse();
        }
        return rewrite;
    }
}
