/**
 * One agent's optimization from start to proof: analyze its file under its own interpreter, run the
 * chosen patterns in turn, and prove the combined rewrite. Nothing here writes the agent's file.
 */
package io.fleetshell.engine.optimize;
