package io.fleetshell.engine.playbook;

import io.fleetshell.engine.NameSuggestions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code playbook check} finds without running a playbook: every {@code fleet.NAME} it uses must
 * be part of the API, and every {@code fleet.params.NAME} must be declared in its header. Comments and
 * string literals are blanked first, so text about the API is not taken for a use of it.
 */
final class ApiUse {

    /** One finding, at a line of the playbook. */
    record Problem(int line, String message) {
    }

    /** The API members a playbook uses, and what is wrong with its use of them. */
    record Report(Set<String> uses, List<Problem> problems) {
    }

    private static final Pattern MEMBER = Pattern.compile("(?<![\\w$.])fleet\\s*\\.\\s*([A-Za-z_$][\\w$]*)(?:\\s*\\.\\s*([A-Za-z_$][\\w$]*))?");

    private ApiUse() {
    }

    static Report of(Playbook playbook) {
        String code = blankCommentsAndStrings(playbook.source());
        Set<String> uses = new LinkedHashSet<>();
        List<Problem> problems = new ArrayList<>();
        List<String> members = new ArrayList<>(FleetApi.FUNCTIONS);
        members.addAll(FleetApi.PROPERTIES);
        List<String> declared = playbook.params().stream().map(PlaybookParam::name).toList();
        Matcher m = MEMBER.matcher(code);
        while (m.find()) {
            String member = m.group(1);
            int line = lineOf(code, m.start());
            if (!members.contains(member)) {
                List<String> close = NameSuggestions.closest(member, members, 2);
                problems.add(new Problem(line, "fleet.%s is not part of the playbook API; %s".formatted(member,
                        close.isEmpty() ? "it has " + String.join(", ", members) : "did you mean fleet." + String.join(" or fleet.", close) + "?")));
                continue;
            }
            uses.add(member);
            String param = m.group(2);
            if (member.equals("params") && param != null && !declared.contains(param)) {
                problems.add(new Problem(line, "fleet.params.%s is not declared; add a header line // @param %s=DEFAULT description%s"
                        .formatted(param, param, declared.isEmpty() ? "" : " (declared: " + String.join(", ", declared) + ")")));
            }
        }
        return new Report(uses, problems);
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * The source with comments and the contents of string literals replaced by spaces, newlines kept
     * (so offsets and lines stay as they were). Template literals are blanked whole, their
     * {@code ${...}} parts included: a use of the API there is still caught when the playbook runs.
     */
    static String blankCommentsAndStrings(String source) {
        StringBuilder out = new StringBuilder(source);
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            char next = i + 1 < n ? source.charAt(i + 1) : 0;
            if (c == '/' && next == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    out.setCharAt(i++, ' ');
                }
            } else if (c == '/' && next == '*') {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(out, i, end);
                i = end;
            } else if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < n && source.charAt(j) != c && (c == '`' || source.charAt(j) != '\n')) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                int end = Math.min(n, j + 1);
                blank(out, i + 1, Math.max(i + 1, end - 1));
                i = end;
            } else {
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(StringBuilder out, int from, int to) {
        for (int k = from; k < to && k < out.length(); k++) {
            if (out.charAt(k) != '\n') {
                out.setCharAt(k, ' ');
            }
        }
    }
}
