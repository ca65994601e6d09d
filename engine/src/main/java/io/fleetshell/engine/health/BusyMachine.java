package io.fleetshell.engine.health;

import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.Stats;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Whether a profile's figures were taken on a busy machine, from what shows it: the load average while profiling
 * (when known) and the spread of each agent's samples. Other processes stretch a load's wall time by up to 2.4x on
 * two cores, so scores and predicted gains from such a profile are inflated and may change band on a quiet machine.
 */
public final class BusyMachine {

    /** A spread (max - min) / median above this means the samples disagree beyond run-to-run noise. */
    public static final double SPREAD_LIMIT = 0.25;

    private BusyMachine() {
    }

    /** The agent whose samples spread most, and by how much (a fraction of its median). */
    public record Spread(String agent, double fraction, int samples) {
    }

    /** The widest spread among the loaded profiles with at least three samples, or empty. */
    public static Optional<Spread> widestSpread(List<AgentProfile> profiles) {
        return profiles.stream().filter(AgentProfile::loaded).filter(p -> p.samples().size() >= 3)
                .map(p -> {
                    Stats load = p.loadMillis();
                    return new Spread(p.target().agent().toString(), load.median() <= 0 ? 0 : (load.max() - load.min()) / load.median(), load.n());
                })
                .max(Comparator.comparingDouble(Spread::fraction));
    }

    /**
     * The warning to print, or empty when nothing shows the machine was busy.
     *
     * @param loadAverage the highest one-minute load average seen while profiling, or negative when unknown
     * @param cores       the machine's cores
     */
    public static Optional<String> warning(List<AgentProfile> profiles, double loadAverage, int cores) {
        Optional<Spread> spread = widestSpread(profiles).filter(s -> s.fraction() > SPREAD_LIMIT);
        boolean loaded = loadAverage > cores;
        if (!loaded && spread.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder why = new StringBuilder("the machine was busy while profiling: ");
        if (loadAverage >= 0) {
            why.append("load average %.1f on %d core%s".formatted(loadAverage, cores, cores == 1 ? "" : "s"));
        }
        spread.ifPresent(s -> why.append(loadAverage >= 0 ? ", " : "").append("samples of %s spread %.0f%% of their median over %d runs"
                .formatted(s.agent(), 100 * s.fraction(), s.samples())));
        why.append(". Load times, scores and predicted gains from this profile may be inflated; profile again on a quiet machine "
                + "(or with --parallel 1).");
        return Optional.of(why.toString());
    }
}
