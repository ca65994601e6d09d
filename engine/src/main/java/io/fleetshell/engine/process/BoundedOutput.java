package io.fleetshell.engine.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * What is kept of one output stream: everything up to {@code limit} bytes, beyond that the first half and the
 * last half of the limit, so a child printing gigabytes costs at most {@code limit} bytes of heap while its first
 * lines (the command it ran) and its last ones (the error it died of) survive.
 */
final class BoundedOutput {

    private final byte[] head;
    private final byte[] tail;
    private int headLength;
    private long total;

    BoundedOutput(int limit) {
        int half = Math.max(1, limit / 2);
        this.head = new byte[limit - half];
        this.tail = new byte[half];
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
        int toHead = Math.min(length, head.length - headLength);
        System.arraycopy(data, 0, head, headLength, toHead);
        headLength += toHead;
        int offset = toHead;
        int rest = length - toHead;
        long position = total + toHead - head.length;
        if (rest > tail.length) {
            offset += rest - tail.length;
            position += rest - tail.length;
            rest = tail.length;
        }
        if (rest > 0) {
            int start = (int) (position % tail.length);
            int first = Math.min(rest, tail.length - start);
            System.arraycopy(data, offset, tail, start, first);
            System.arraycopy(data, offset + first, tail, 0, rest - first);
        }
        total += length;
    }

    synchronized boolean truncated() {
        return total > head.length + tail.length;
    }

    synchronized String text() {
        String start = new String(head, 0, headLength, StandardCharsets.UTF_8);
        long pastHead = total - headLength;
        if (pastHead <= 0) {
            return start;
        }
        int kept = (int) Math.min(pastHead, tail.length);
        byte[] end = new byte[kept];
        long first = pastHead - kept;
        for (int i = 0; i < kept; i++) {
            end[i] = tail[(int) ((first + i) % tail.length)];
        }
        String last = new String(end, StandardCharsets.UTF_8);
        long leftOut = pastHead - kept;
        return leftOut == 0 ? start + last : start + "\n[... " + leftOut + " bytes left out ...]\n" + last;
    }
}
