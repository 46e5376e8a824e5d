package dev.berth.example;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The start of a connection as the front read it: the raw bytes, to be forwarded unchanged, and,
 * when they hold a whole request head, its method, target and headers.
 */
final class RequestHead {
    /** Larger heads are not examined; the front then pipes them to the HttpServer as they are. */
    static final int MAX_BYTES = 16 * 1024;

    /** Everything read so far: the head and perhaps the start of a body or of the next request. */
    final byte[] bytes;
    final int length;
    /** The bytes up to and including the blank line; 0 when the cap or the end of the stream came first. */
    final int headLength;
    final boolean complete;
    final String method;
    final String target;
    /** Lower-case names; the values of a repeated header joined with ", ". */
    private final Map<String, String> headers;

    private RequestHead(byte[] bytes, int length, int headEnd) {
        this.bytes = bytes;
        this.length = length;
        this.headLength = Math.max(0, headEnd);
        this.complete = headEnd > 0;
        this.headers = new HashMap<>();
        String[] lines = complete
                ? new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1).split("\n")
                : new String[] {""};
        String[] requestLine = lines[0].trim().split(" ");
        this.method = requestLine.length == 3 ? requestLine[0] : "";
        this.target = requestLine.length == 3 ? requestLine[1] : "";
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
        }
    }

    /**
     * Reads until the blank line that ends a head (CRLF CRLF; bare LFs are taken too), the cap, or
     * the end of the stream. A read timeout set on the socket ends it with SocketTimeoutException.
     */
    static RequestHead read(InputStream in) throws IOException {
        byte[] buffer = new byte[MAX_BYTES];
        int length = 0;
        while (length < buffer.length) {
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                break;
            }
            int from = Math.max(1, length);
            length += n;
            for (int i = from; i < length; i++) {
                if (buffer[i] == '\n' && (buffer[i - 1] == '\n'
                        || (buffer[i - 1] == '\r' && i >= 2 && buffer[i - 2] == '\n'))) {
                    return new RequestHead(buffer, length, i + 1);
                }
            }
        }
        return new RequestHead(buffer, length, -1);
    }

    /** The header's value, or "" when absent. */
    String header(String name) {
        return headers.getOrDefault(name, "");
    }

    /** The target's path, without the query. */
    String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** Whether the comma-separated header holds {@code token}, ignoring case. */
    boolean headerHasToken(String name, String token) {
        for (String part : header(name).split(",")) {
            if (part.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** A WebSocket opening handshake (RFC 6455 section 4.2.1), whatever its path and version. */
    boolean isWebSocketUpgrade() {
        return complete && method.equals("GET") && headerHasToken("upgrade", "websocket")
                && headerHasToken("connection", "upgrade") && !header("sec-websocket-key").isEmpty();
    }
}
