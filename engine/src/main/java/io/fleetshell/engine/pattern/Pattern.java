package io.fleetshell.engine.pattern;

/**
 * One optimization, named with a verb, that maps source to source. It says first whether it applies
 * to an agent ({@link #validate}), then returns the rewrite ({@link #rewrite}); it never touches a file.
 * Implementations are stateless: options arrive with the input.
 *
 * @param <F> the analysis facts of the language it rewrites
 */
public interface Pattern<F> {

    /** The identifier users type, e.g. {@code lazy_loading}. */
    String id();

    /** A short title, without a period. */
    String displayName();

    /** What it does and what behaviour still changes, in full sentences. */
    String description();

    /** Whether the pattern has something to do for this input, and why (or why not). */
    Applicability validate(PatternInput<F> input);

    /**
     * The rewrite of the input's source. Edits are exact text spans: every byte the pattern does not
     * mean to change stays identical. A pattern that does not apply returns a rewrite without changes.
     */
    Rewrite rewrite(PatternInput<F> input);
}
