package io.fleetshell.engine.inventory;

import java.util.Locale;
import java.util.Optional;

/** The language an agent is written in, which decides how it is analyzed, rewritten, proven and run. */
public enum Language {
    PYTHON, JAVA;

    /** {@code python} or {@code java}: the spelling of the {@code language:} field and of {@code --json} output. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code Python} or {@code Java}: the spelling of messages. */
    public String title() {
        return name().charAt(0) + id().substring(1);
    }

    /**
     * How messages name a runtime of this language from the version fleetshell recorded: {@code Python 3.11.2} for a
     * Python version, a Java one as recorded ({@code java 17}).
     */
    public String runtimeLabel(String version) {
        return this == JAVA ? version : "Python " + version;
    }

    /** The language a {@code language:} value names, if it names one. */
    public static Optional<Language> named(String declared) {
        for (Language language : values()) {
            if (language.id().equalsIgnoreCase(declared.strip())) {
                return Optional.of(language);
            }
        }
        return Optional.empty();
    }

    /** Detection by the script's extension: {@code .java} and {@code .jar} are Java, anything else Python. */
    public static Language detect(String scriptPath) {
        String path = scriptPath == null ? "" : scriptPath.toLowerCase(Locale.ROOT);
        return path.endsWith(".java") || path.endsWith(".jar") ? JAVA : PYTHON;
    }
}
