package io.fleetshell.engine.metrics;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A sample's labels: an immutable map in the order written, held in two arrays with its hash computed once. A
 * {@code watch} of 1,000 agents keeps two scrapes of ~66 samples each per agent; as {@code LinkedHashMap}s behind an
 * unmodifiable view their labels were most of the heap each young collection copied, and hashing them (series
 * lookups) walked the entries every time.
 */
final class LabelSet extends AbstractMap<String, String> {

    private static final LabelSet EMPTY = new LabelSet(new String[0], new String[0]);

    private final String[] keys;
    private final String[] values;
    private final int hash;

    private LabelSet(String[] keys, String[] values) {
        this.keys = keys;
        this.values = values;
        int h = 0;
        for (int i = 0; i < keys.length; i++) {
            h += keys[i].hashCode() ^ values[i].hashCode(); // Map.hashCode's definition
        }
        this.hash = h;
    }

    /** {@code labels} itself when it is a label set already, else a copy in its iteration order (no null keys or values). */
    static Map<String, String> copyOf(Map<String, String> labels) {
        if (labels instanceof LabelSet set) {
            return set;
        }
        if (labels.isEmpty()) {
            return EMPTY;
        }
        String[] keys = new String[labels.size()];
        String[] values = new String[keys.length];
        int i = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            keys[i] = java.util.Objects.requireNonNull(e.getKey(), "label name");
            values[i] = java.util.Objects.requireNonNull(e.getValue(), "label value");
            i++;
        }
        return new LabelSet(keys, values);
    }

    @Override
    public String get(Object key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].equals(key)) {
                return values[i];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return keys.length;
    }

    @Override
    public boolean isEmpty() {
        return keys.length == 0;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (o instanceof LabelSet other) {
            if (other.hash != hash || other.keys.length != keys.length) {
                return false;
            }
            for (int i = 0; i < keys.length; i++) {
                if (!values[i].equals(other.get(keys[i]))) {
                    return false;
                }
            }
            return true;
        }
        return super.equals(o);
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keys.length;
                    }

                    @Override
                    public Map.Entry<String, String> next() {
                        if (next >= keys.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new AbstractMap.SimpleImmutableEntry<>(keys[i], values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return keys.length;
            }
        };
    }
}
