/**
 * Rendering of command output: tables that fit the terminal's width and read well in a log file alike, the
 * sanitizer every printed string passes through ({@code TerminalText}), and the JSON form of values JSON has no
 * literal for.
 */
package io.fleetshell.shell.render;
