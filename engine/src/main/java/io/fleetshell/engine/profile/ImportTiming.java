package io.fleetshell.engine.profile;

/**
 * One line of {@code -X importtime}: a module, how deep it was nested under the import that caused
 * it (0 for an import the agent's own code made), and its self and cumulative time in microseconds.
 */
public record ImportTiming(String module, int depth, long selfMicros, long cumulativeMicros) {
}
