package io.fleetshell.engine.java;

import org.junit.jupiter.api.Test;

import static io.fleetshell.engine.java.JavaRewriteAssert.assertRewrite;

class MemoizeHeavyFieldTest {

    private final MemoizeHeavyField pattern = new MemoizeHeavyField();

    @Test
    void wrapsTheFieldInAMemoizedSupplierAndRewritesReadsToGet() {
        assertRewrite(pattern, """
                package demo;

                import java.security.MessageDigest;
                import java.util.List;

                class Agent {
                    // one digest per agent, warmed up
                    private final MessageDigest digest = warm(MessageDigest.getInstance("SHA-256"));
                    private final int port;

                    Agent(int port) {
                        this.port = port;
                    }

                    static MessageDigest warm(MessageDigest d) { return d; }

                    byte[] hash(byte[] data) {
                        return this.digest.digest(data);
                    }

                    int size() {
                        return digest.getDigestLength() + port;
                    }
                }
                """, """
                package demo;

                import java.security.MessageDigest;
                import java.util.List;
                import java.util.function.Supplier;

                class Agent {
                    // one digest per agent, warmed up
                    private final Supplier<MessageDigest> digest = memoize(() -> warm(MessageDigest.getInstance("SHA-256")));
                    private final int port;

                    Agent(int port) {
                        this.port = port;
                    }

                    static MessageDigest warm(MessageDigest d) { return d; }

                    byte[] hash(byte[] data) {
                        return this.digest.get().digest(data);
                    }

                    int size() {
                        return digest.get().getDigestLength() + port;
                    }

                    /** Runs {@code initializer} once, on the first {@code get()}, and returns that value from then on. */
                    private static <T> Supplier<T> memoize(Supplier<T> initializer) {
                        return new Supplier<>() {
                            private T value;
                            private boolean done;

                            @Override
                            public synchronized T get() {
                                if (!done) {
                                    value = initializer.get();
                                    done = true;
                                }
                                return value;
                            }
                        };
                    }
                }
                """);
    }

    @Test
    void leavesAFieldTheConstructorReadsAlone() {
        assertRewrite(pattern, """
                import java.util.regex.Pattern;
                class Agent {
                    private final Pattern words = Pattern.compile("[a-z]+");
                    private final int flags;
                    Agent() { flags = words.flags(); }
                }
                """, null);
    }

    @Test
    void leavesAFieldWhoseInitializerReadsStateAConstructorSetsAlone() {
        assertRewrite(pattern, """
                import java.util.regex.Pattern;
                class Agent {
                    private final String spec;
                    private final Pattern words = Pattern.compile(spec);
                    Agent(String spec) { this.spec = spec; }
                    boolean ok(String s) { return words.matcher(s).matches(); }
                }
                """, null);
    }
}
