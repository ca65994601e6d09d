package io.fleetshell.history;

import io.fleetshell.engine.profile.AgentProfile;

import java.time.Instant;

/**
 * A stored profile of one agent: one version of its baseline, the raw samples (inside the profile)
 * and the script checksum it was measured on.
 *
 * @param id           database id
 * @param version      1 for the agent's first profile, then counting up
 * @param createdAt    when it was measured
 * @param scriptSha256 hex sha256 of the script when it was measured
 * @param profile      the samples, rebuilt; its target's environment is empty (environments are not
 *                     stored: they may hold secrets)
 */
public record Baseline(long id, int version, Instant createdAt, String scriptSha256, AgentProfile profile) {
}
