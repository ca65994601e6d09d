/**
 * The shell's commands, one class per topic, with what they share: the engine's services built with this
 * session ({@code Rollouts}, {@code Measurements}) and the rollout's rendering ({@code RolloutView}). Each
 * command parses its options, calls the engine, and renders text, or JSON from result records through Jackson
 * (the engine's own, or a small record next to the command for what it adds); none holds fleet logic of its own.
 */
package io.fleetshell.shell.commands;
