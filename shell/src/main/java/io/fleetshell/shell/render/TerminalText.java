package io.fleetshell.shell.render;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes text safe to print on a terminal: the one function every string from agents, configs, playbooks and
 * scraped metrics passes through before it is printed ({@link TextTable} cells and every line {@code Output}
 * writes). Control characters that a terminal obeys (escape sequences that set the window title, move the
 * cursor or clear the screen; carriage returns that overwrite a line; C1 controls; bidirectional overrides
 * that reorder what is shown) become visible caret or hex notation ({@code ESC]0;x} prints as {@code ^[]0;x}),
 * so a hostile label value shows up as text instead of acting. Colour (SGR) sequences are kept only when the
 * caller asks, because fleetshell's own colours are SGR sequences; newlines and tabs are kept in text, and
 * become spaces in a table cell.
 */
public final class TerminalText {

    /** A colour or style sequence: ESC [ digits and semicolons m. */
    static final Pattern SGR = Pattern.compile("\u001b\\[[0-9;]*m");

    /**
     * What marks a cut: one character, so that widths stay exact. The horizontal ellipsis where the output's
     * encoding has it; a tilde where it does not (a C or POSIX locale), rather than the '?' the encoder would print.
     */
    public static final String ELLIPSIS = encodable('…') ? "…" : "~";

    private TerminalText() {
    }

    private static boolean encodable(char c) {
        try {
            String name = System.getProperty("stdout.encoding");
            java.nio.charset.Charset charset = name == null ? java.nio.charset.Charset.defaultCharset() : java.nio.charset.Charset.forName(name);
            return charset.newEncoder().canEncode(c);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code text} with every control character but newline and tab made visible; SGR kept when {@code keepSgr}. */
    public static String safe(String text, boolean keepSgr) {
        if (text == null || text.isEmpty() || isPlain(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        Matcher sgr = SGR.matcher(text);
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\u001b' && sgr.find(i) && sgr.start() == i) {
                if (keepSgr) {
                    out.append(sgr.group());
                }
                i = sgr.end();
                continue;
            }
            appendVisible(out, c);
            i++;
        }
        return out.toString();
    }

    /** One line for a table cell: {@link #safe} with newlines, carriage returns and tabs as spaces. */
    public static String cell(String text) {
        if (text == null) {
            return null;
        }
        return safe(text.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ').replace('\t', ' '), true);
    }

    /** {@code text} without colour sequences: what a terminal shows of it. */
    public static String plain(String text) {
        return text.indexOf('\u001b') < 0 ? text : SGR.matcher(text).replaceAll("");
    }

    private static boolean isPlain(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (needsEscape(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean needsEscape(char c) {
        return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0) || isBidiControl(c);
    }

    private static boolean isBidiControl(char c) {
        return (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f'
                || c == '\u061c';
    }

    private static void appendVisible(StringBuilder out, char c) {
        if (c < 0x20 && c != '\n' && c != '\t') {
            out.append('^').append((char) (c + 64));
        } else if (c == 0x7f) {
            out.append("^?");
        } else if (c >= 0x80 && c < 0xa0) {
            out.append("<%02x>".formatted((int) c));
        } else if (isBidiControl(c)) {
            out.append("<U+%04X>".formatted((int) c));
        } else {
            out.append(c);
        }
    }
}
