package io.fleetshell.engine.python.pattern;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the modules importing a shared module read through it (issue 14, LAZY_IMPORTS.md "Shared modules"): an import
 * of the shared module is deferrable only if no importer reads its name while the importer loads, and removable only
 * if no importer reads it at all. The import graph finds these reads ({@code from common.m import np}, then a use of
 * {@code np} in the importer) and hands them to {@code lazy_loading} and {@code dependency_reduction} as options; a
 * single agent's own file has no importers and no such options.
 *
 * @param atImportTime names read while an importer loads, each with where ({@code path:line})
 * @param later        names read through the module only when a function of an importer runs, each with where
 * @param wholeModule  where an importer binds the module itself ({@code import common.m}), whose attribute reads are not
 *                     known statically; null when none does
 */
public record ImporterReads(Map<String, String> atImportTime, Map<String, String> later, String wholeModule) {

    /** Option: {@link #atImportTime}, {@code name@where} joined by {@code ;}. */
    public static final String OPTION_AT_IMPORT_TIME = "importers_read_at_import_time";
    /** Option: {@link #later}, {@code name@where} joined by {@code ;}. */
    public static final String OPTION_LATER = "importers_read_later";
    /** Option: {@link #wholeModule}. */
    public static final String OPTION_WHOLE_MODULE = "importers_bind_module";

    public static final ImporterReads NONE = new ImporterReads(Map.of(), Map.of(), null);

    public ImporterReads {
        atImportTime = Map.copyOf(atImportTime);
        later = Map.copyOf(later);
    }

    /** The reads in a pattern's options ({@link #NONE} without them). */
    public static ImporterReads of(Map<String, String> options) {
        String whole = options.get(OPTION_WHOLE_MODULE);
        return new ImporterReads(decode(options.get(OPTION_AT_IMPORT_TIME)), decode(options.get(OPTION_LATER)),
                whole == null || whole.isBlank() ? null : whole);
    }

    /** These reads as pattern options. */
    public Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(OPTION_AT_IMPORT_TIME, encode(atImportTime));
        options.put(OPTION_LATER, encode(later));
        if (wholeModule != null) {
            options.put(OPTION_WHOLE_MODULE, wholeModule);
        }
        return options;
    }

    /** Why {@code lazy_loading} keeps the import binding {@code name} eager, or null when no importer reads it at load. */
    String keepsEager(String name) {
        String where = atImportTime.get(name);
        return where == null ? null : "an importer needs it while it loads (rule 1 across importers): " + where;
    }

    /** Why {@code dependency_reduction} keeps the unused import binding {@code name}, or null when no importer can read it. */
    String keepsImported(String name) {
        String where = atImportTime.getOrDefault(name, later.get(name));
        if (where != null) {
            return "%s reads it through this module (`from ... import %s`)".formatted(where, name);
        }
        if (wholeModule != null) {
            return "%s imports this module whole, and which of its names it reads through it is not known statically".formatted(wholeModule);
        }
        return null;
    }

    private static String encode(Map<String, String> reads) {
        return String.join(";", reads.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "@" + e.getValue()).toList());
    }

    private static Map<String, String> decode(String text) {
        Map<String, String> reads = new LinkedHashMap<>();
        if (text != null) {
            Arrays.stream(text.split(";")).filter(s -> s.contains("@"))
                    .forEach(s -> reads.putIfAbsent(s.substring(0, s.indexOf('@')), s.substring(s.indexOf('@') + 1)));
        }
        return reads;
    }
}
