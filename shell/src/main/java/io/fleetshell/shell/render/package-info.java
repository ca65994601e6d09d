/**
 * Rendering of command output: aligned tables and key-value blocks that read well in a terminal and in a
 * log file alike, and the JSON form of values JSON has no literal for.
 */
package io.fleetshell.shell.render;
