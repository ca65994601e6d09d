/**
 * {@code watch}: the live dashboard. {@link io.fleetshell.shell.watch.WatchState} turns each cycle's scrape results
 * into a {@link io.fleetshell.shell.watch.WatchModel}, {@link io.fleetshell.shell.watch.Dashboard} renders a model
 * as the text of one frame (a pure function, tested without a terminal), and
 * {@link io.fleetshell.shell.watch.WatchLoop} redraws it on a JLine terminal until q or Ctrl-C.
 */
package io.fleetshell.shell.watch;
