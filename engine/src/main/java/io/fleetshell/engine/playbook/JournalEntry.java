package io.fleetshell.engine.playbook;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a playbook run's journal: what the script printed, each fleet call it made and what came
 * back, and each decision its policies took. The journal is what {@code playbook show} and
 * {@code explain} print, and what {@code playbook simulate} reports. In JSON an entry without data has no
 * {@code data} field.
 *
 * @param at   when
 * @param kind what sort of line
 * @param line the playbook line that caused it, or 0 when unknown
 * @param text one line for people
 * @param data the arguments, results and evidence behind it (insertion-ordered, JSON-friendly)
 */
public record JournalEntry(Instant at, Kind kind, int line, String text, @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> data) {

    public JournalEntry {
        data = data == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public enum Kind {
        /** {@code fleet.log} or {@code console.log}. */
        LOG,
        /** {@code fleet.warn} or {@code console.error}. */
        WARN,
        /** A fleet function that reads: inventory, score, health, metrics. */
        READ,
        /** A fleet function that acts: profile, deploy, rollback; in a dry run or simulation, what it would have done. */
        ACTION,
        /** A policy function's answer, e.g. {@code batchSize(2) = 5}, or {@code fleet.stop}. */
        DECISION,
        /** How the run ended. */
        END;

        @JsonValue
        public String label() {
            return name().toLowerCase();
        }
    }
}
