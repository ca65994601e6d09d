package io.fleetshell.engine.runtime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the end of an agent's log ({@link Supervisor#log}) and follows what is appended to it, as {@code tail -n N -f}
 * does: the last lines are found by reading backwards from the end, so a log of gigabytes costs a few blocks. A log
 * that shrinks while followed (truncated, or replaced by a rotation) is read again from its start.
 */
public final class LogTail {

    private static final int BLOCK = 8192;
    private static final Duration POLL = Duration.ofMillis(250);

    private final Path log;
    private final Source source;

    public LogTail(Path log) {
        this(log, (offset, max) -> Chunk.of(log, offset, max));
    }

    /** A log read through {@code source} (a remote agent's log, read over its host's transport); {@code log} names it. */
    public LogTail(Path log, Source source) {
        this.log = log;
        this.source = source;
    }

    /** Reads a log from an offset. */
    @FunctionalInterface
    public interface Source {
        Chunk read(long offset, int max) throws IOException;
    }

    /**
     * Bytes of a log from an offset, and the log's size when they were read (smaller than the offset when the log was
     * truncated or replaced; 0 when it does not exist).
     */
    public record Chunk(byte[] bytes, long size) {

        /** Up to {@code max} bytes of a local file from {@code offset}. */
        public static Chunk of(Path file, long offset, int max) throws IOException {
            if (!Files.exists(file)) {
                return new Chunk(new byte[0], 0);
            }
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long size = in.length();
                if (size <= offset) {
                    return new Chunk(new byte[0], size);
                }
                byte[] bytes = new byte[(int) Math.min(max, size - offset)];
                in.seek(offset);
                in.readFully(bytes);
                return new Chunk(bytes, size);
            }
        }
    }

    /**
     * The last {@code lines} lines (all of them for 0 or less) and the byte offset where the log ended when read, from
     * which {@link #follow} goes on.
     */
    public record End(List<String> lines, long offset) {
    }

    public End last(int lines) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            long from = lines <= 0 ? 0 : startOfLastLines(file, length, lines);
            byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, length - from)];
            file.seek(from);
            file.readFully(bytes);
            return new End(new String(bytes, StandardCharsets.UTF_8).lines().toList(), from + bytes.length);
        }
    }

    /** Where the last {@code lines} lines start: a newline ending the file does not count as the start of a line. */
    private static long startOfLastLines(RandomAccessFile file, long length, int lines) throws IOException {
        long position = length;
        int newlines = 0;
        byte[] block = new byte[BLOCK];
        boolean last = true;
        while (position > 0) {
            int size = (int) Math.min(BLOCK, position);
            position -= size;
            file.seek(position);
            file.readFully(block, 0, size);
            for (int i = size - 1; i >= 0; i--) {
                if (block[i] != '\n') {
                    last = false;
                    continue;
                }
                if (last) {
                    last = false;
                    continue;
                }
                if (++newlines == lines) {
                    return position + i + 1;
                }
            }
        }
        return 0;
    }

    /**
     * Hands each line appended after {@code offset} to {@code sink} as it arrives (a line still being written waits for
     * its newline), until the calling thread is interrupted; {@code notice} hears when the log was truncated or
     * replaced. Returns normally on the interrupt, with the interrupt flag set again.
     */
    public void follow(long offset, Consumer<String> sink, Consumer<String> notice) throws IOException {
        long position = offset;
        // Bytes, not text: a UTF-8 character may be split between two reads.
        java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
        while (!Thread.currentThread().isInterrupted()) {
            Chunk chunk = source.read(position, 1 << 20);
            if (chunk.size() < position) {
                notice.accept(log + " was truncated or replaced; reading it from its start");
                position = 0;
                partial.reset();
                continue;
            }
            byte[] bytes = chunk.bytes();
            if (bytes.length > 0) {
                position += bytes.length;
                int start = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '\n') {
                        partial.write(bytes, start, i - start);
                        sink.accept(partial.toString(StandardCharsets.UTF_8));
                        partial.reset();
                        start = i + 1;
                    }
                }
                partial.write(bytes, start, bytes.length - start);
                continue;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last lines, or an empty list when the log does not exist or cannot be read (for a dashboard's detail). */
    public static List<String> lastQuietly(Path log, int lines) {
        try {
            return Files.isRegularFile(log) ? new LogTail(log).last(lines).lines() : List.of();
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
        }
    }
}
