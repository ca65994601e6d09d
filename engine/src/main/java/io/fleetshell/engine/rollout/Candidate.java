package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;

/**
 * One agent a rollout request names, with the pattern to apply and everything that pattern reads.
 *
 * @param agent           the agent
 * @param pattern         the pattern to apply to its script
 * @param input           the script's exact bytes and facts, read when the request was made
 * @param predictedGainMs the measured gain the score predicts for it, or null when unmeasured
 */
public record Candidate(Agent agent, Pattern pattern, PatternInput input, Double predictedGainMs) {
}
