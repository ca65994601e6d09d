package io.fleetshell.engine;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Suggests the closest known names for a mistyped one: case-insensitive prefix and substring matches, then edit distance. */
public final class NameSuggestions {

    private NameSuggestions() {
    }

    public static List<String> closest(String typed, Collection<String> known, int limit) {
        String t = typed.toLowerCase();
        int tolerance = Math.max(2, t.length() / 3);
        record Scored(String name, int score) {
        }
        return known.stream()
                .distinct()
                .map(name -> {
                    String n = name.toLowerCase();
                    int score = n.startsWith(t) || t.startsWith(n) ? 0
                            : n.contains(t) || t.contains(n) ? 1
                            : 2 + distance(t, n);
                    return new Scored(name, score);
                })
                .filter(s -> s.score() < 2 || s.score() - 2 <= tolerance)
                .sorted(Comparator.comparingInt(Scored::score).thenComparing(Scored::name))
                .limit(limit)
                .map(Scored::name)
                .toList();
    }

    /** The {@code limit} known names nearest to the typed one by edit distance, however far they are. */
    public static List<String> nearest(String typed, Collection<String> known, int limit) {
        String t = typed.toLowerCase();
        return known.stream().distinct()
                .sorted(Comparator.comparingInt((String name) -> distance(t, name.toLowerCase())).thenComparing(name -> name))
                .limit(limit)
                .toList();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
