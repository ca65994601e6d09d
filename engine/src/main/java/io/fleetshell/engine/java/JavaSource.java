package io.fleetshell.engine.java;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ParserConfiguration.LanguageLevel;
import com.github.javaparser.Position;
import com.github.javaparser.Problem;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import io.fleetshell.engine.analysis.ParseError;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Parsing Java sources at an explicit language level, with syntax errors reported by line and
 * column. A parser is cheap to build and not thread-safe, so each parse makes its own.
 */
public final class JavaSource {

    /** The level agents are parsed at unless the caller says otherwise: the JDK fleetshell itself needs. */
    public static final LanguageLevel DEFAULT_LEVEL = LanguageLevel.JAVA_25;

    private JavaSource() {
    }

    /** The outcome of one parse: the tree, or the first problem as a {@link ParseError}. */
    public sealed interface Parsed {
    }

    public record Tree(CompilationUnit unit, String text) implements Parsed {
    }

    public record Failed(ParseError error) implements Parsed {
    }

    public static Parsed parse(byte[] source, LanguageLevel level) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(source)).toString();
        } catch (CharacterCodingException e) {
            return new Failed(new ParseError(ParseError.Kind.UNREADABLE, null, null,
                    "the file is not UTF-8 text; save it as UTF-8"));
        }
        return parse(text, level);
    }

    public static Parsed parse(String text, LanguageLevel level) {
        ParseResult<CompilationUnit> result = new JavaParser(new ParserConfiguration().setLanguageLevel(level)).parse(text);
        if (result.isSuccessful() && result.getResult().isPresent()) {
            return new Tree(result.getResult().get(), text);
        }
        Problem problem = result.getProblems().getFirst();
        Position at = problem.getLocation().flatMap(l -> l.getBegin().getRange()).map(r -> r.begin).orElse(null);
        String message = problem.getMessage().lines().findFirst().orElse("syntax error").strip();
        return new Failed(new ParseError(ParseError.Kind.SYNTAX, at == null ? null : at.line, at == null ? null : at.column, message));
    }

    /** The tree of source that must parse (a rewrite's own output); a failure is a bug in the rewrite. */
    static CompilationUnit parseOrThrow(String text, LanguageLevel level) {
        return switch (parse(text, level)) {
            case Tree tree -> tree.unit();
            case Failed failed -> throw new IllegalStateException("rewritten source does not parse: " + failed.error());
        };
    }

    static int line(Node node) {
        return node.getBegin().map(p -> p.line).orElse(0);
    }

    static int column(Node node) {
        return node.getBegin().map(p -> p.column).orElse(0);
    }
}
