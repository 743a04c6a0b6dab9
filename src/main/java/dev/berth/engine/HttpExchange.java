package dev.berth.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request on a connection and its response: the request line, headers, query and body
 * (Content-Length or chunked), and the ways the Engine API answers: a whole body, a chunked stream, or
 * the connection taken over ("hijacked", for attach and exec).
 */
final class HttpExchange {
    private final InputStream in;
    private final OutputStream out;
    final String method;
    final String path;
    final Map<String, List<String>> query;
    final Map<String, String> headers;
    private boolean responded;
    private boolean keepAlive = true;
    private InputStream body;

    private HttpExchange(InputStream in, OutputStream out, String method, String path, Map<String, List<String>> query,
                         Map<String, String> headers) {
        this.in = in;
        this.out = out;
        this.method = method;
        this.path = path;
        this.query = query;
        this.headers = headers;
    }

    /** The next request on the connection, or null when the client closed it. */
    static HttpExchange read(InputStream in, OutputStream out) throws IOException {
        String requestLine = line(in);
        while (requestLine != null && requestLine.isEmpty()) {
            requestLine = line(in);
        }
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length < 2) {
            throw new IOException("bad request line: " + requestLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header; (header = line(in)) != null && !header.isEmpty(); ) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
        }
        String target = parts[1];
        int question = target.indexOf('?');
        String path = question < 0 ? target : target.substring(0, question);
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (question >= 0) {
            for (String pair : target.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(value);
            }
        }
        return new HttpExchange(in, out, parts[0], decode(path), query, headers);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                String s = bytes.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            bytes.write(b);
            if (bytes.size() > 64 * 1024) {
                throw new IOException("header line too long");
            }
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
    }

    String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** Docker's boolean query parameters: 1, true, True. */
    boolean flag(String name) {
        String value = param(name);
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }

    boolean keepAlive() {
        return keepAlive && !"close".equalsIgnoreCase(headers.get("connection"));
    }

    /**
     * The request's body as a stream: Content-Length bytes, or chunked; empty when there is none. The
     * same stream each time, so what one reader took is not read again.
     */
    InputStream body() {
        if (body == null) {
            body = openBody();
        }
        return body;
    }

    private InputStream openBody() {
        String length = headers.get("content-length");
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            return new ChunkedInput(in);
        }
        long n = length == null ? 0 : Long.parseLong(length);
        return new InputStream() {
            long left = n;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = in.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int r = in.read(buffer, offset, (int) Math.min(count, left));
                if (r > 0) {
                    left -= r;
                }
                return r;
            }
        };
    }

    byte[] bodyBytes() throws IOException {
        return body().readAllBytes();
    }

    /** Reads what is left of the body, so the next request on the connection starts where it should. */
    void finishReading() throws IOException {
        body().transferTo(OutputStream.nullOutputStream());
    }

    boolean responded() {
        return responded;
    }

    void respond(int status, String contentType, byte[] body, Map<String, String> extraHeaders) throws IOException {
        StringBuilder head = statusLine(status);
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        extraHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) {
            out.write(body);
        }
        out.flush();
    }

    /** Starts a chunked response; the caller writes the stream and closes it. */
    OutputStream stream(int status, String contentType) throws IOException {
        return stream(status, contentType, Map.of());
    }

    OutputStream stream(int status, String contentType, Map<String, String> extraHeaders) throws IOException {
        StringBuilder head = statusLine(status);
        extraHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Type: ").append(contentType).append("\r\nTransfer-Encoding: chunked\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return new ChunkedOutput(out);
    }

    /**
     * Takes the connection over: 101 UPGRADED when the client asked for an upgrade (docker's attach and
     * exec), 200 otherwise; afterwards the connection is a raw stream both ways, closed when done.
     */
    OutputStream hijack(String contentType) throws IOException {
        keepAlive = false;
        boolean upgrade = headers.containsKey("upgrade");
        StringBuilder head = upgrade ? new StringBuilder("HTTP/1.1 101 UPGRADED\r\n") : statusLine(200);
        responded = true;
        head.append("Content-Type: ").append(contentType).append("\r\n");
        if (upgrade) {
            head.append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return out;
    }

    /** The connection ends after this response (its input was taken over by a watcher). */
    void closeAfter() {
        keepAlive = false;
    }

    /** After a hijack: what the client sends (its stdin). */
    InputStream rawInput() {
        return in;
    }

    private StringBuilder statusLine(int status) {
        responded = true;
        return new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Api-Version: ").append(EngineApi.API_VERSION).append("\r\n")
                .append("Docker-Experimental: false\r\nOstype: linux\r\nServer: berth\r\n");
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            default -> "Status";
        };
    }

    /** A chunked request body. */
    private static final class ChunkedInput extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in);
                if (size == null) {
                    done = true;
                    return -1;
                }
                int semicolon = size.indexOf(';');
                left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (left == 0) {
                    for (String trailer; (trailer = line(in)) != null && !trailer.isEmpty(); ) {
                        // trailers: none that matter
                    }
                    done = true;
                    return -1;
                }
            }
            int r = in.read(buffer, offset, (int) Math.min(count, left));
            if (r < 0) {
                done = true;
                return -1;
            }
            left -= r;
            if (left == 0) {
                line(in); // the CRLF after the chunk
            }
            return r;
        }
    }

    /** A chunked response body; close ends it. */
    private static final class ChunkedOutput extends OutputStream {
        private final OutputStream out;

        ChunkedOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int count) throws IOException {
            if (count == 0) {
                return;
            }
            out.write((Integer.toHexString(count) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(buffer, offset, count);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }
}
