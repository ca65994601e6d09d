package io.fleetshell.engine.java;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.fleetshell.engine.java.JavaRewriteAssert.assertRewrite;
import static io.fleetshell.engine.java.JavaRewriteAssert.input;
import static org.assertj.core.api.Assertions.assertThat;

class HoldStaticFieldLazilyTest {

    private final HoldStaticFieldLazily pattern = new HoldStaticFieldLazily();

    @Test
    void movesTheFieldIntoAHolderAndRewritesEveryReadToTheAccessor() {
        assertRewrite(pattern, """
                package demo;

                import java.util.HashMap;
                import java.util.Map;

                public final class Agent {
                    private static final int PORT = 7240;
                    /** Every hex spelling, built once. */
                    private static final Map<Integer, String> LOOKUP_TABLE = buildTable(); // about 200 ms

                    private static Map<Integer, String> buildTable() {
                        Map<Integer, String> table = new HashMap<>();
                        for (int i = 0; i < 200_000; i++) {
                            table.put(i, Integer.toHexString(i));
                        }
                        return table;
                    }

                    static String run(int x) {
                        return LOOKUP_TABLE.get(x) + "/" + Agent.LOOKUP_TABLE.size();
                    }

                    public static void main(String[] args) {
                        System.out.println("ready on " + PORT);
                    }
                }
                """, """
                package demo;

                import java.util.HashMap;
                import java.util.Map;

                public final class Agent {
                    private static final int PORT = 7240;
                    /** Every hex spelling, built once. */
                    private static final class LookupTableHolder {
                        private static final Map<Integer, String> LOOKUP_TABLE = buildTable(); // about 200 ms
                    }

                    private static Map<Integer, String> lookupTable() {
                        return LookupTableHolder.LOOKUP_TABLE;
                    }

                    private static Map<Integer, String> buildTable() {
                        Map<Integer, String> table = new HashMap<>();
                        for (int i = 0; i < 200_000; i++) {
                            table.put(i, Integer.toHexString(i));
                        }
                        return table;
                    }

                    static String run(int x) {
                        return lookupTable().get(x) + "/" + Agent.lookupTable().size();
                    }

                    public static void main(String[] args) {
                        System.out.println("ready on " + PORT);
                    }
                }
                """);
    }

    @Test
    void indentsLikeTheFileAndMovesMultiLineInitializersWhole() {
        assertRewrite(pattern, """
                class Agent {
                  private static final java.util.regex.Pattern WORDS =
                      java.util.regex.Pattern.compile("[a-z]+",
                          java.util.regex.Pattern.CASE_INSENSITIVE);

                  boolean matches(String s) { return WORDS.matcher(s).matches(); }
                }
                """, """
                class Agent {
                  private static final class WordsHolder {
                    private static final java.util.regex.Pattern WORDS =
                        java.util.regex.Pattern.compile("[a-z]+",
                            java.util.regex.Pattern.CASE_INSENSITIVE);
                  }

                  private static java.util.regex.Pattern words() {
                    return WordsHolder.WORDS;
                  }

                  boolean matches(String s) { return words().matcher(s).matches(); }
                }
                """);
    }

    @Test
    void leavesAFieldReadWhileTheClassInitializesAlone() {
        String source = """
                import java.util.regex.Pattern;
                class Agent {
                    private static final Pattern WORDS = Pattern.compile("[a-z]+");
                    private static final boolean OK = WORDS.matcher("abc").matches();
                }
                """;
        assertRewrite(pattern, source, null);
        HeavyInitializer words = input(source, Map.of()).facts().initializers().getFirst();
        assertThat(words.uses()).singleElement().satisfies(u -> assertThat(u.phase()).isEqualTo(HeavyInitializer.Phase.CLASS_INIT));
        assertThat(pattern.validate(input(source, Map.of())).reasons().getFirst())
                .contains("Agent.WORDS (line 3)", "read while the class initializes (line 4");
    }

    @Test
    void leavesAFieldThatMainOrWhatMainCallsReadsAlone() {
        assertRewrite(pattern, """
                import java.util.regex.Pattern;
                class Agent {
                    private static final Pattern WORDS = Pattern.compile("[a-z]+");
                    public static void main(String[] args) { warm(); }
                    static void warm() { WORDS.matcher("x"); }
                }
                """, null);
    }

    @Test
    void readsInsideLambdasThatMainRegistersAreDeferred() {
        assertRewrite(pattern, """
                import java.util.regex.Pattern;
                class Agent {
                    private static final Pattern WORDS = Pattern.compile("[a-z]+");
                    public static void main(String[] args) {
                        Runnable handler = () -> System.out.println(WORDS.pattern());
                        new Thread(handler).start();
                    }
                }
                """, """
                import java.util.regex.Pattern;
                class Agent {
                    private static final class WordsHolder {
                        private static final Pattern WORDS = Pattern.compile("[a-z]+");
                    }

                    private static Pattern words() {
                        return WordsHolder.WORDS;
                    }
                    public static void main(String[] args) {
                        Runnable handler = () -> System.out.println(words().pattern());
                        new Thread(handler).start();
                    }
                }
                """);
    }

    @Test
    void leavesNonPrivateReassignedPatternShadowedAndCheapFieldsAlone() {
        assertRewrite(pattern, """
                import java.util.regex.Pattern;
                class Agent {
                    static final Pattern PACKAGE_VISIBLE = Pattern.compile("a");
                    private static Pattern reassigned = Pattern.compile("b");
                    private static final Pattern SHADOWED = Pattern.compile("c");
                    private static final String CHEAP = "d".repeat(3);
                    static void reset() { reassigned = null; }
                    static int f(Object o) { return o instanceof String SHADOWED ? SHADOWED.length() : 0; }
                    static int g() { return SHADOWED.flags() + CHEAP.length() + PACKAGE_VISIBLE.flags() + reassigned.flags(); }
                }
                """, null);
        var reasons = pattern.validate(input("""
                import java.util.regex.Pattern;
                class Agent {
                    static final Pattern PACKAGE_VISIBLE = Pattern.compile("a");
                }
                """, Map.of())).reasons();
        assertThat(reasons.getFirst()).contains("PACKAGE_VISIBLE is not private");
    }

    @Test
    void aLocalOfTheSameNameIsNotARead() {
        assertRewrite(pattern, """
                import java.util.regex.Pattern;
                class Agent {
                    private static final Pattern WORDS = Pattern.compile("[a-z]+");
                    static int f(String s) {
                        int n = WORDS.flags();
                        for (String WORDS : s.split(" ")) {
                            n += WORDS.length();
                        }
                        String WORDS = s;
                        return n + WORDS.length();
                    }
                }
                """, """
                import java.util.regex.Pattern;
                class Agent {
                    private static final class WordsHolder {
                        private static final Pattern WORDS = Pattern.compile("[a-z]+");
                    }

                    private static Pattern words() {
                        return WordsHolder.WORDS;
                    }
                    static int f(String s) {
                        int n = words().flags();
                        for (String WORDS : s.split(" ")) {
                            n += WORDS.length();
                        }
                        String WORDS = s;
                        return n + WORDS.length();
                    }
                }
                """);
    }

    @Test
    void theFieldsOptionLimitsTheRewriteAndNamesUnknownFields() {
        String source = """
                import java.util.regex.Pattern;
                class Agent {
                    private static final Pattern A = Pattern.compile("a");
                    private static final Pattern B = Pattern.compile("b");
                    int f() { return A.flags() + B.flags(); }
                }
                """;
        String after = new String(pattern.rewrite(input(source, Map.of("fields", "B"))).after(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(after).contains("private static final class BHolder", "A.flags() + b().flags()").doesNotContain("AHolder");
        assertThat(pattern.validate(input(source, Map.of("fields", "C"))).reasons().getFirst()).contains("no heavy static field named C");
    }
}
