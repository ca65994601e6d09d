package io.fleetshell.engine.java;

import org.junit.jupiter.api.Test;

import static io.fleetshell.engine.java.JavaRewriteAssert.assertRewrite;
import static io.fleetshell.engine.java.JavaRewriteAssert.input;
import static org.assertj.core.api.Assertions.assertThat;

class RemoveUnusedJavaImportsTest {

    private final RemoveUnusedJavaImports pattern = new RemoveUnusedJavaImports();

    @Test
    void removesSingleTypeAndStaticImportsNothingRefersTo() {
        assertRewrite(pattern, """
                package demo;

                import java.util.List;
                import java.util.Map; // lookup tables
                import java.util.concurrent.TimeUnit;
                import static java.lang.Math.max;
                import static java.lang.Math.min;

                class Agent {
                    Map<String, Integer> sizes; // kept
                    int clamp(int x) { return min(x, 10); }
                }
                """, """
                package demo;

                import java.util.Map; // lookup tables
                import static java.lang.Math.min;

                class Agent {
                    Map<String, Integer> sizes; // kept
                    int clamp(int x) { return min(x, 10); }
                }
                """);
    }

    @Test
    void keepsWildcardsJavadocReferencesAnnotationsAndNestedTypeUses() {
        assertRewrite(pattern, """
                import java.util.*;
                import java.util.concurrent.Callable;
                import java.util.function.Supplier;
                import java.lang.annotation.Documented;

                /** Like a {@link Callable}, but run once. */
                @Documented
                class Agent {
                    Supplier.Nested x;
                }
                """, null);
    }

    @Test
    void leavesAFileThatDoesNotParseAlone() {
        String broken = """
                import java.util.List;
                class Agent {
                    void f( {
                }
                """;
        assertRewrite(pattern, broken, null);
        var facts = input(broken, java.util.Map.of()).facts();
        assertThat(facts.error().line()).isEqualTo(3);
        assertThat(facts.error().column()).isNotNull();
        assertThat(pattern.validate(input(broken, java.util.Map.of())).reasons().getFirst()).contains("does not parse", "line 3");
    }

    @Test
    void removesARepeatedImport() {
        assertRewrite(pattern, """
                import java.util.List;
                import java.util.List;

                class Agent {
                    List<String> names;
                }
                """, """
                import java.util.List;

                class Agent {
                    List<String> names;
                }
                """);
    }
}
