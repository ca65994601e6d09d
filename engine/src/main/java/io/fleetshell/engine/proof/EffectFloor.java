package io.fleetshell.engine.proof;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The smallest load-time gain a proof counts (issue 16 item 9): a rewrite must beat the original by at least
 * {@code percent} per cent of the original's time and at least {@code millis} milliseconds, or its gain is noise a
 * deployment should not be spent on. Like Kayenta's allowed-change bounds, it is an effect size, decided apart from
 * significance; {@code proof_min_gain: {percent: 3, ms: 2}} in settings.yaml sets it.
 *
 * @param percent the least gain relative to the original, in per cent
 * @param millis  the least gain in milliseconds
 */
public record EffectFloor(double percent, double millis) {

    public static final String KEY = "proof_min_gain";
    public static final EffectFloor DEFAULT = new EffectFloor(3, 2);

    public EffectFloor {
        if (!(percent >= 0 && percent < 100) || !(millis >= 0 && millis < 60_000)) {
            throw new IllegalArgumentException("the effect floor must be 0-100 %% and 0-60000 ms, not %s %% and %s ms".formatted(percent, millis));
        }
    }

    /** The gain a pair must show when the original took {@code original} (ms). */
    public double threshold(double original) {
        return Math.max(original * percent / 100.0, millis);
    }

    @Override
    public String toString() {
        return ">= %s %% and >= %s ms".formatted(number(percent), number(millis));
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    /** The floor set in settings.yaml ({@value #KEY}: {percent, ms}), the default where it is not. */
    public static EffectFloor fromSettings(Path settingsFile) {
        if (!Files.isRegularFile(settingsFile)) {
            return DEFAULT;
        }
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(settingsFile.toString()).build()).loadFromString(Files.readString(settingsFile));
        } catch (YamlEngineException | IOException e) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, settingsFile + ": " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> map) || map.get(KEY) == null) {
            return DEFAULT;
        }
        if (!(map.get(KEY) instanceof Map<?, ?> floor) || !floor.keySet().stream().allMatch(k -> "percent".equals(k) || "ms".equals(k))) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: %s must be a mapping such as {percent: 3, ms: 2}; fix it or remove it to use the default (%s)"
                    .formatted(settingsFile, KEY, DEFAULT));
        }
        double percent = number(settingsFile, floor.get("percent"), "percent", DEFAULT.percent(), 100);
        double millis = number(settingsFile, floor.get("ms"), "ms", DEFAULT.millis(), 60_000);
        return new EffectFloor(percent, millis);
    }

    private static double number(Path file, Object value, String key, double fallback, double below) {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0 && n.doubleValue() < below) {
            return n.doubleValue();
        }
        throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: %s.%s must be a number from 0 to below %s, not '%s'"
                .formatted(file, KEY, key, number(below), value));
    }
}
