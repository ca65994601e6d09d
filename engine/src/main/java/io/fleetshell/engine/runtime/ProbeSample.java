package io.fleetshell.engine.runtime;

/** A stored health probe and its row id in history-db ({@code health_probes}), which evidence points to. */
public record ProbeSample(long id, ProbeResult probe) {
}
