package io.fleetshell.engine.metrics;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP/1.1 that scraping needs and nothing more: {@code GET} over plain TCP with keep-alive, one idle
 * connection kept per endpoint, bodies framed by {@code Content-Length}, chunked transfer coding or the end of the
 * connection, and one deadline for connect, answer and body together. {@code java.net.http} did the same job with
 * a selector thread, futures and timers per request, which was most of a {@code watch} cycle's CPU (B4). A reused
 * connection the endpoint closed while idle is retried once on a new one, as other HTTP clients do for a GET.
 */
final class MetricsHttp implements AutoCloseable {

    /** An answer: status, its {@code Content-Type} (or null) and the whole body. */
    record Answer(int status, String contentType, byte[] body) {
    }

    /** The body is larger than the limit. */
    static final class TooLarge extends IOException {
        TooLarge() {
            super("the body exceeds the limit");
        }
    }

    /** The endpoint answered something that is not HTTP/1.x. */
    static final class NotHttp extends IOException {
        NotHttp(String detail) {
            super(detail);
        }
    }

    private static final int HEAD_LIMIT = 64 << 10;

    private final Map<String, Socket> idle = new ConcurrentHashMap<>();
    private final long maxBytes;
    private volatile boolean closed;

    MetricsHttp(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** GETs {@code uri} (http only) before {@code deadline} ({@link System#nanoTime()}); throws {@link SocketTimeoutException} past it. */
    Answer get(URI uri, String accept, long deadline) throws IOException {
        String host = uri.getHost();
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String key = host + ':' + port;
        byte[] request = request(uri, key, accept);
        Socket reused = idle.remove(key);
        if (reused != null) {
            try {
                return exchange(reused, key, request, deadline, true);
            } catch (Stale stale) {
                // closed by the endpoint while idle: ask again on a new connection
            }
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), remainingMillis(deadline));
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        try {
            return exchange(socket, key, request, deadline, false);
        } catch (Stale stale) {
            throw new EOFException("the connection was closed before an answer");
        }
    }

    /** A reused connection failed before the first byte of an answer. */
    private static final class Stale extends IOException {
    }

    private Answer exchange(Socket socket, String key, byte[] request, long deadline, boolean reused) throws IOException {
        boolean keep = false;
        try {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                if (reused) {
                    throw new Stale();
                }
                throw e;
            }
            Reader reader = new Reader(socket, in, deadline);
            int first;
            try {
                first = reader.peek();
            } catch (IOException e) {
                if (reused && !(e instanceof SocketTimeoutException)) {
                    throw new Stale();
                }
                throw e;
            }
            if (first < 0) {
                if (reused) {
                    throw new Stale();
                }
                throw new EOFException("the connection was closed before an answer");
            }
            String statusLine = reader.line();
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
                throw new NotHttp("not an HTTP/1.1 answer: " + statusLine.substring(0, Math.min(40, statusLine.length())));
            }
            int status = parseStatus(statusLine);
            long length = -1;
            boolean chunked = false;
            boolean close = statusLine.startsWith("HTTP/1.0");
            String contentType = null;
            for (String header = reader.line(); !header.isEmpty(); header = reader.line()) {
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    throw new NotHttp("malformed header line: " + header);
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> {
                        try {
                            length = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            throw new NotHttp("Content-Length is not a number: " + value);
                        }
                    }
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close") || close && !value.equalsIgnoreCase("keep-alive");
                    case "content-type" -> contentType = value;
                    default -> {
                    }
                }
            }
            if (status != 200) {
                return new Answer(status, contentType, new byte[0]); // the connection is not reused: its body is unread
            }
            byte[] body;
            if (chunked) {
                body = reader.chunked(maxBytes);
            } else if (length >= 0) {
                if (length > maxBytes) {
                    throw new TooLarge();
                }
                body = reader.exactly((int) length);
            } else {
                body = reader.toEnd(maxBytes);
                close = true;
            }
            keep = !close && !closed;
            return new Answer(status, contentType, body);
        } finally {
            if (keep) {
                Socket previous = idle.put(key, socket);
                if (previous != null) {
                    previous.close();
                }
            } else {
                socket.close();
            }
        }
    }

    private static int parseStatus(String statusLine) throws NotHttp {
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                throw new NotHttp("no status code in: " + statusLine);
            }
            status = status * 10 + (c - '0');
        }
        return status;
    }

    private static byte[] request(URI uri, String hostPort, String accept) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        return ("GET " + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nAccept: " + accept
                + "\r\nUser-Agent: fleetshell\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    @Override
    public void close() {
        closed = true;
        for (String key : idle.keySet()) {
            Socket s = idle.remove(key);
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing an idle connection: nothing is waiting on it
                }
            }
        }
    }

    /** Buffered reads from one connection, each bounded by the deadline. */
    private static final class Reader {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final byte[] buffer = new byte[8192];
        private int pos;
        private int limit;

        Reader(Socket socket, InputStream in, long deadline) {
            this.socket = socket;
            this.in = in;
            this.deadline = deadline;
        }

        /** Fills the buffer when empty; false at the end of the stream. */
        private boolean fill() throws IOException {
            if (pos < limit) {
                return true;
            }
            socket.setSoTimeout(remainingMillis(deadline));
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }

        int peek() throws IOException {
            return fill() ? buffer[pos] & 0xff : -1;
        }

        /** One header line without its CRLF (a bare LF is accepted). */
        String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            while (true) {
                if (!fill()) {
                    throw new EOFException("the connection was closed in the middle of the headers");
                }
                byte b = buffer[pos++];
                if (line.length() > HEAD_LIMIT) {
                    throw new NotHttp("a header line is longer than " + (HEAD_LIMIT >> 10) + " KiB");
                }
                if (b == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                line.append((char) (b & 0xff));
            }
        }

        byte[] exactly(int length) throws IOException {
            byte[] body = new byte[length];
            int got = 0;
            while (got < length) {
                if (!fill()) {
                    throw new EOFException("the connection was closed after " + got + " of " + length + " bytes");
                }
                int n = Math.min(length - got, limit - pos);
                System.arraycopy(buffer, pos, body, got, n);
                pos += n;
                got += n;
            }
            return body;
        }

        byte[] toEnd(long maxBytes) throws IOException {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            while (fill()) {
                body.write(buffer, pos, limit - pos);
                pos = limit;
                if (body.size() > maxBytes) {
                    throw new TooLarge();
                }
            }
            return body.toByteArray();
        }

        byte[] chunked(long maxBytes) throws IOException {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            while (true) {
                String sizeLine = line();
                int semicolon = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new NotHttp("bad chunk size: " + sizeLine);
                }
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers are not needed
                    }
                    return body.toByteArray();
                }
                if (body.size() + size > maxBytes) {
                    throw new TooLarge();
                }
                body.write(exactly((int) size));
                if (!line().isEmpty()) {
                    throw new NotHttp("a chunk does not end with CRLF");
                }
            }
        }
    }
}
