/**
 * Plain-text rendering of command output: aligned tables and key-value blocks that read well in a
 * terminal and in a log file alike.
 */
package io.fleetshell.shell.render;
