package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The golden-test helper for patterns: facts from the real analysis helper, then one rewrite compared byte for byte. */
final class RewriteTest {

    static final PythonFacts FACTS = new PythonFacts();

    /**
     * The inlined loader and the blank line after it, shown as {@code <loader>} in golden texts (its own behaviour is
     * tested by running it).
     */
    static final String LOADER = loader("lazy_import.py");
    /** async_initialization's inlined holder factory and the blank line after it, shown as {@code <starter>}. */
    static final String STARTER = loader("background_init.py");
    /** cache_optimization's inlined cache wrapper and the blank line after it, shown as {@code <memo>}. */
    static final String MEMO = loader("memoize.py");

    private RewriteTest() {
    }

    private static String loader(String name) {
        try (var in = RewriteTest.class.getResourceAsStream("/io/fleetshell/python/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The interpreter the tests run: {@code -Dfleetshell.test.python=...}, else Debian's, else {@code python3}. */
    static String python() {
        String configured = System.getProperty("fleetshell.test.python");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        Path debian = Path.of("/usr/bin/python3");
        return Files.isExecutable(debian) ? debian.toString() : "python3";
    }

    static PatternInput<FileFacts> input(String source, String version, Map<String, String> options) {
        return input(source.getBytes(StandardCharsets.UTF_8), version, options);
    }

    static PatternInput<FileFacts> input(byte[] source, String version, Map<String, String> options) {
        return input(source, version, options, Map.of());
    }

    /** {@code siblings}: other files of the fleet beside the agent's (name to text), such as its own modules. */
    static PatternInput<FileFacts> input(byte[] source, String version, Map<String, String> options, Map<String, String> siblings) {
        try {
            Path dir = Files.createTempDirectory("fleetshell-golden");
            Path file = dir.resolve("agent.py");
            Files.write(file, source);
            for (Map.Entry<String, String> sibling : siblings.entrySet()) {
                Files.createDirectories(dir.resolve(sibling.getKey()).getParent());
                Files.writeString(dir.resolve(sibling.getKey()), sibling.getValue());
            }
            FileFacts facts = FACTS.analyze(python(), List.of(file), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES).getFirst();
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
            return new PatternInput<>("Agent", file, source, facts, version, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code after == null}: the pattern leaves the file alone. */
    static Rewrite assertRewrite(Pattern<FileFacts> pattern, String version, String before, String after) {
        return assertRewrite(pattern, version, Map.of(), before, after);
    }

    static Rewrite assertRewrite(Pattern<FileFacts> pattern, String version, Map<String, String> options, String before, String after) {
        return assertRewrite(pattern, version, options, Map.of(), before, after);
    }

    /** With {@code siblings}: files of the fleet beside the agent's, e.g. its own modules ({@link #input(byte[], String, Map, Map)}). */
    static Rewrite assertRewrite(Pattern<FileFacts> pattern, String version, Map<String, String> options, Map<String, String> siblings,
                                 String before, String after) {
        Rewrite rewrite = pattern.rewrite(input(before.getBytes(StandardCharsets.UTF_8), version, options, siblings));
        String actual = new String(rewrite.after(), StandardCharsets.UTF_8)
                .replace(LOADER.replace("\n", "\r\n") + "\r\n", "<loader>\r\n").replace(LOADER + "\n", "<loader>\n")
                .replace(STARTER + "\n", "<starter>\n").replace(MEMO + "\n", "<memo>\n");
        if (after == null) {
            assertFalse(rewrite.changes(), () -> "expected no change, got:\n" + actual + "\nnotes: " + rewrite.notes());
        } else {
            assertEquals(after, actual, () -> "notes: " + rewrite.notes());
        }
        return rewrite;
    }
}
