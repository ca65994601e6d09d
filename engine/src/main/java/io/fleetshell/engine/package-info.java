/**
 * The fleetshell engine: inventory, analysis, patterns and proofs per language, the planner and the rollout,
 * runtime supervision, metrics, gates, health and playbooks (ARCHITECTURE.md maps the packages). This root
 * package holds what all of them use: the error codes and exception, checksums, safe reads of scripts (contained,
 * regular files only, bounded: {@code SafeFiles}), the home's layout and its contained state paths, bounded
 * parallelism and name suggestions. It knows nothing of Spring, the terminal or SQL; the shell and history-db call into it.
 */
package io.fleetshell.engine;
