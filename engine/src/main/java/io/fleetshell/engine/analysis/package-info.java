/**
 * What the source analyses of both languages share: {@link io.fleetshell.engine.analysis.ParseError}, why a file
 * has no facts. Each language's facts and the verdicts drawn from them live in its own package.
 */
package io.fleetshell.engine.analysis;
