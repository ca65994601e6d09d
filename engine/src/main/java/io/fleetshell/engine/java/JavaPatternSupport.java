package io.fleetshell.engine.java;

import com.github.javaparser.ParserConfiguration.LanguageLevel;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.PatternInput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What the three Java patterns check first, and the option they share. */
final class JavaPatternSupport {

    private JavaPatternSupport() {
    }

    /** Why the input is not a parsed Java file, or empty when it is. */
    static Optional<Applicability> unparsed(PatternInput<JavaFacts> input) {
        JavaFacts facts = input.facts();
        if (!facts.parsed()) {
            return Optional.of(new Applicability.DoesNotApply(List.of(
                    "%s does not parse (%s); fix it first, it is never modified.".formatted(input.file(), facts.error()))));
        }
        return Optional.empty();
    }

    static String text(PatternInput<JavaFacts> input) {
        return new String(input.source(), StandardCharsets.UTF_8);
    }

    static LanguageLevel level(PatternInput<JavaFacts> input) {
        return LanguageLevel.valueOf(input.facts().languageLevel());
    }

    /** The {@code fields} option: comma-separated field names to limit the pattern to, or null for all. */
    static Set<String> chosenFields(PatternInput<JavaFacts> input) {
        String option = input.options().get("fields");
        return option == null || option.isBlank() ? null
                : Set.copyOf(Arrays.stream(option.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }

    /** The candidates of a kind the input asks for, with the blockers of those that cannot be deferred. */
    static List<HeavyInitializer> candidates(PatternInput<JavaFacts> input, HeavyInitializer.Kind kind) {
        Set<String> chosen = chosenFields(input);
        return input.facts().initializers().stream()
                .filter(h -> h.kind() == kind && (chosen == null || chosen.contains(h.field())))
                .toList();
    }

    static Applicability applicability(PatternInput<JavaFacts> input, HeavyInitializer.Kind kind, String verb) {
        Optional<Applicability> unparsed = unparsed(input);
        if (unparsed.isPresent()) {
            return unparsed.get();
        }
        List<HeavyInitializer> candidates = candidates(input, kind);
        Set<String> chosen = chosenFields(input);
        if (chosen != null) {
            List<String> unknown = chosen.stream().filter(f -> candidates.stream().noneMatch(h -> f.equals(h.field()))).sorted().toList();
            if (!unknown.isEmpty()) {
                return new Applicability.DoesNotApply(List.of("%s has no heavy %s named %s; score %s lists the ones it has."
                        .formatted(input.file().getFileName(), kind, String.join(", ", unknown), input.agent())));
            }
        }
        List<String> applies = candidates.stream().filter(HeavyInitializer::deferrable)
                .map(h -> "%s %s (line %d), which %s.".formatted(verb, h.label(), h.line(), h.calls().getFirst().describe()))
                .toList();
        List<String> blocked = candidates.stream().filter(h -> !h.deferrable())
                .map(h -> "%s (line %d) stays as it is: %s.".formatted(h.label(), h.line(), String.join("; ", h.blockers())))
                .toList();
        if (applies.isEmpty()) {
            return new Applicability.DoesNotApply(blocked.isEmpty()
                    ? List.of("%s has no %s whose initializer does heavy work.".formatted(input.file().getFileName(), kind))
                    : blocked);
        }
        return new Applicability.Applies(java.util.stream.Stream.concat(applies.stream(), blocked.stream()).toList());
    }
}
