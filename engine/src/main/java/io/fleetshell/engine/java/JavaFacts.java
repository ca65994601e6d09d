package io.fleetshell.engine.java;

import io.fleetshell.engine.analysis.ParseError;

import java.nio.file.Path;
import java.util.List;

/**
 * What the analysis found in one Java source file. A file that does not parse has an
 * {@link #error()} (with its line and 1-based column) and nothing else.
 *
 * @param path          the file (absolute)
 * @param sha256        hex digest of its bytes
 * @param error         why there are no facts, or null
 * @param languageLevel the JavaParser language level it was parsed at, e.g. {@code JAVA_25}
 * @param mainClass     the binary name of the top-level class declaring {@code main}, or null
 * @param imports       every import declaration, in source order
 * @param unusedImports the imports nothing in the file refers to, each with why it is kept (if it is)
 * @param initializers  static initializer blocks and field initializers that do heavy work, in source order
 */
public record JavaFacts(String path, String sha256, ParseError error, String languageLevel, String mainClass,
                        List<JavaImport> imports, List<UnusedJavaImport> unusedImports,
                        List<HeavyInitializer> initializers) {

    public JavaFacts {
        imports = imports == null ? List.of() : List.copyOf(imports);
        unusedImports = unusedImports == null ? List.of() : List.copyOf(unusedImports);
        initializers = initializers == null ? List.of() : List.copyOf(initializers);
    }

    static JavaFacts unparsed(Path file, String sha256, ParseError error, String languageLevel) {
        return new JavaFacts(file.toString(), sha256, error, languageLevel, null, List.of(), List.of(), List.of());
    }

    public boolean parsed() {
        return error == null;
    }

    public Path file() {
        return Path.of(path);
    }

    /** The heavy initializers a pattern can defer, in source order. */
    public List<HeavyInitializer> deferrable() {
        return initializers.stream().filter(HeavyInitializer::deferrable).toList();
    }

    /** The unused imports that can be removed. */
    public List<UnusedJavaImport> removableImports() {
        return unusedImports.stream().filter(u -> u.keptBecause() == null).toList();
    }

    /**
     * One import declaration.
     *
     * @param line     its 1-based line
     * @param text     the name as written, e.g. {@code java.util.Map} or {@code java.util.Map.*}
     * @param isStatic {@code import static}
     * @param wildcard ends in {@code .*}
     */
    public record JavaImport(int line, String text, boolean isStatic, boolean wildcard) {

        /** The simple name it brings into scope, or null for a wildcard. */
        public String simpleName() {
            return wildcard ? null : text.substring(text.lastIndexOf('.') + 1);
        }
    }

    /** An import nothing refers to; {@code keptBecause} says why it must stay (e.g. used only in Javadoc), or null. */
    public record UnusedJavaImport(JavaImport imported, String keptBecause) {
    }
}
