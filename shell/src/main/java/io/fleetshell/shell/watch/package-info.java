/**
 * {@code watch}: the live dashboard. {@link io.fleetshell.shell.watch.WatchState} turns each cycle's scrape results
 * into a {@link io.fleetshell.shell.watch.WatchModel}, {@link io.fleetshell.shell.watch.Dashboard} renders a model
 * as the text of one frame, one agent's detail or the keys (pure functions, tested without a terminal),
 * {@link io.fleetshell.shell.watch.WatchView} holds what the keys change (filter, sort, selection, detail), and
 * {@link io.fleetshell.shell.watch.WatchLoop} reads the keys and redraws on a JLine terminal until q or Ctrl-C.
 */
package io.fleetshell.shell.watch;
