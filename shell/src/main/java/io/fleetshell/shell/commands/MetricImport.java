package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.metrics.Exposition;
import io.fleetshell.engine.metrics.ExpositionFormat;
import io.fleetshell.engine.metrics.ExpositionParser;
import io.fleetshell.engine.metrics.MalformedExpositionException;
import io.fleetshell.engine.metrics.MetricFamily;
import io.fleetshell.engine.metrics.Sample;
import io.fleetshell.engine.metrics.ScrapeResult;
import io.fleetshell.engine.metrics.ScrapeTarget;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads a recorded exposition file as scrapes: one per sample timestamp, or one at the file's time. */
final class MetricImport {

    private MetricImport() {
    }

    static List<ScrapeResult> read(AgentId agent, Path file) {
        String text;
        Instant modified;
        try {
            text = Files.readString(file);
            modified = Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot read %s (%s); nothing was imported".formatted(file, e.getMessage()));
        }
        ExpositionFormat format = text.stripTrailing().endsWith("# EOF") ? ExpositionFormat.OPENMETRICS : ExpositionFormat.TEXT;
        Exposition exposition;
        try {
            exposition = ExpositionParser.parse(text, format);
        } catch (MalformedExpositionException e) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s:%d:%d: %s; nothing was imported".formatted(file, e.line(), e.column(), e.reason()));
        }
        // Group by timestamp, keeping each family's type: one scrape per instant, as the exposition recorded them.
        // (Keyed by family name: a family record's hash would walk all of its samples.)
        TreeMap<Long, Map<String, List<Sample>>> byTime = new TreeMap<>();
        Map<String, MetricFamily> familyByName = new LinkedHashMap<>();
        for (MetricFamily f : exposition.families()) {
            familyByName.put(f.name(), f);
            for (Sample s : f.samples()) {
                long at = s.timestampMillis() == null ? modified.toEpochMilli() : s.timestampMillis();
                byTime.computeIfAbsent(at, t -> new LinkedHashMap<>()).computeIfAbsent(f.name(), x -> new ArrayList<>()).add(s);
            }
        }
        ScrapeTarget target = new ScrapeTarget(agent, file.toAbsolutePath().toUri());
        List<ScrapeResult> results = new ArrayList<>(byTime.size());
        byTime.forEach((at, families) -> {
            List<MetricFamily> grouped = new ArrayList<>();
            families.forEach((name, samples) -> {
                MetricFamily f = familyByName.get(name);
                grouped.add(new MetricFamily(name, f.type(), f.help(), f.unit(), samples));
            });
            results.add(new ScrapeResult.Scraped(target, Instant.ofEpochMilli(at), Duration.ZERO, 0, new Exposition(format, grouped)));
        });
        return results;
    }
}
