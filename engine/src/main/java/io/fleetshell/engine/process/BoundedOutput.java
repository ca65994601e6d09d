package io.fleetshell.engine.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What is kept of one output stream: everything up to {@code limit} bytes, beyond that the first half and the
 * last half of the limit, so a child printing gigabytes costs at most {@code limit} bytes of heap while its first
 * lines (the command it ran) and its last ones (the error it died of) survive.
 */
final class BoundedOutput {

    private final int headLimit;
    private final int tailLimit;
    /** Grown as output arrives, so a bound of many megabytes costs nothing for a quiet child. */
    private byte[] head = new byte[0];
    private byte[] tail = new byte[0];
    private int headLength;
    private long total;

    BoundedOutput(int limit) {
        this.tailLimit = Math.max(1, limit / 2);
        this.headLimit = Math.max(0, limit - tailLimit);
    }

    /** Reads {@code in} to its end (or until the stream is closed under it by the kill of the process). */
    void drain(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                write(buffer, n);
            }
        } catch (IOException ignored) {
            // The pipe closed when the process was killed; what was read so far is kept.
        }
    }

    synchronized void write(byte[] data, int length) {
        int toHead = Math.min(length, headLimit - headLength);
        head = grown(head, headLength + toHead, headLimit);
        System.arraycopy(data, 0, head, headLength, toHead);
        headLength += toHead;
        int offset = toHead;
        int rest = length - toHead;
        long position = total + toHead - headLimit;
        if (rest > tailLimit) {
            offset += rest - tailLimit;
            position += rest - tailLimit;
            rest = tailLimit;
        }
        if (rest > 0) {
            tail = grown(tail, (int) Math.min(tailLimit, position + rest), tailLimit);
            int start = (int) (position % tailLimit);
            int first = Math.min(rest, tailLimit - start);
            System.arraycopy(data, offset, tail, start, first);
            System.arraycopy(data, offset + first, tail, 0, rest - first);
        }
        total += length;
    }

    private static byte[] grown(byte[] array, int needed, int limit) {
        return needed <= array.length ? array : Arrays.copyOf(array, Math.min(limit, Math.max(needed, 2 * array.length)));
    }

    synchronized boolean truncated() {
        return total > headLimit + tailLimit;
    }

    synchronized String text() {
        String start = new String(head, 0, headLength, StandardCharsets.UTF_8);
        long pastHead = total - headLength;
        if (pastHead <= 0) {
            return start;
        }
        int kept = (int) Math.min(pastHead, tailLimit);
        byte[] end = new byte[kept];
        long first = pastHead - kept;
        for (int i = 0; i < kept; i++) {
            end[i] = tail[(int) ((first + i) % tailLimit)];
        }
        String last = new String(end, StandardCharsets.UTF_8);
        long leftOut = pastHead - kept;
        return leftOut == 0 ? start + last : start + "\n[... " + leftOut + " bytes left out ...]\n" + last;
    }
}
