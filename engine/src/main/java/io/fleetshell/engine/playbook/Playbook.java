package io.fleetshell.engine.playbook;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.NameSuggestions;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A playbook file as read from disk: its source, its checksum, and what its header comment declares,
 * a description (the first comment lines) and its parameters ({@code // @param NAME=DEFAULT text}).
 */
public record Playbook(Path file, String source, String sha256, String description, List<PlaybookParam> params) {

    /** The largest playbook read: a policy is a page of code, and the whole file is held in memory. */
    public static final int MAX_BYTES = 1 << 20;

    private static final Pattern PARAM = Pattern.compile("@param\\s+([A-Za-z_$][\\w$]*)(?:=(\\S*))?\\s*(.*)");

    public Playbook {
        params = List.copyOf(params);
    }

    /** The file's name, which error messages and the journal use to point at lines. */
    public String name() {
        return file.getFileName().toString();
    }

    public static Playbook read(Path file) {
        String source;
        try {
            if (!Files.isRegularFile(file)) {
                throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "no playbook " + file
                        + (Files.isDirectory(file) ? ": it is a directory" : ": no such file") + " (playbook list shows the known ones)");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new FleetshellException(ErrorCode.PLAYBOOK_INVALID, "%s is %d bytes; a playbook may have at most %d"
                        .formatted(file, Files.size(file), MAX_BYTES));
            }
            source = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new FleetshellException(ErrorCode.PLAYBOOK_INVALID, file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot read playbook " + file + ": " + e.getMessage());
        }
        return of(file, source);
    }

    /** A playbook from text, as if read from {@code file}. */
    public static Playbook of(Path file, String source) {
        List<String> description = new ArrayList<>();
        List<PlaybookParam> params = new ArrayList<>();
        List<String> lines = source.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() && params.isEmpty() && description.isEmpty()) {
                continue;
            }
            if (!line.startsWith("//")) {
                break; // the header is the leading comment block
            }
            String text = line.substring(2).strip();
            Matcher param = PARAM.matcher(text);
            if (param.matches()) {
                String name = param.group(1);
                if (params.stream().anyMatch(p -> p.name().equals(name))) {
                    throw new FleetshellException(ErrorCode.PLAYBOOK_INVALID, "%s:%d: parameter %s is declared twice"
                            .formatted(file.getFileName(), i + 1, name));
                }
                params.add(new PlaybookParam(name, param.group(2), param.group(3).strip(), i + 1));
            } else if (params.isEmpty() && !text.startsWith("@")) {
                description.add(text);
            }
        }
        return new Playbook(file, source, Checksums.sha256(source),
                String.join(" ", description).strip(), params);
    }

    /**
     * The values a run gets: every declared parameter, from {@code given} or its default, converted to
     * its type. An undeclared or missing parameter, or a value of the wrong type, is bad input (exit 2).
     */
    public Map<String, Object> bind(Map<String, String> given) {
        List<String> known = params.stream().map(PlaybookParam::name).toList();
        for (String name : given.keySet()) {
            if (!known.contains(name)) {
                List<String> close = NameSuggestions.closest(name, known, 2);
                throw new FleetshellException(ErrorCode.BAD_INPUT, "%s has no parameter %s; %s".formatted(name(), name,
                        known.isEmpty() ? "it declares none (a header line // @param NAME=DEFAULT declares one)"
                                : (close.isEmpty() ? "" : "did you mean " + String.join(" or ", close) + "? ")
                                + "it takes " + String.join(", ", known)));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (PlaybookParam p : params) {
            String value = given.containsKey(p.name()) ? given.get(p.name()) : p.defaultValue();
            if (value == null) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "%s needs --param %s=VALUE (%s)".formatted(name(), p.name(),
                        p.description().isEmpty() ? "declared on line " + p.line() : p.description()));
            }
            try {
                values.put(p.name(), p.convert(value));
            } catch (IllegalArgumentException e) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "%s: %s".formatted(name(), e.getMessage()));
            }
        }
        return values;
    }
}
