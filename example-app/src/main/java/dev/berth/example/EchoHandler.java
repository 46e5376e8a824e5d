package dev.berth.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /api/echo}, any method: describes the request back. The body is streamed through SHA-256;
 * only bodies up to {@link #ECHO_LIMIT} bytes are kept and echoed.
 */
final class EchoHandler implements HttpHandler {
    static final int ECHO_LIMIT = 1024 * 1024;

    private final String appId;

    EchoHandler(String appId) {
        this.appId = appId;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        MessageDigest sha256 = sha256();
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = ex.getRequestBody()) {
            for (int n; (n = in.read(buffer)) > 0; total += n) {
                sha256.update(buffer, 0, n);
                if (total + n <= ECHO_LIMIT) {
                    kept.write(buffer, 0, n);
                }
            }
        }
        Json json = Json.object()
                .field("appId", appId)
                .field("method", ex.getRequestMethod())
                .field("path", ex.getRequestURI().getRawPath())
                .field("query", ex.getRequestURI().getRawQuery())
                .field("headers", headers(ex));
        if (total > ECHO_LIMIT) {
            json.field("body", null);
        } else {
            String body = kept.toString(StandardCharsets.UTF_8);
            String trimmed = body.trim();
            boolean looksJson = trimmed.startsWith("{") || trimmed.startsWith("[");
            if (looksJson && JsonCheck.isJson(trimmed)) {
                json.raw("body", trimmed);
            } else {
                json.field("body", total == 0 ? null : body);
            }
        }
        json.field("bodyBytes", total).field("bodySha256", HexFormat.of().formatHex(sha256.digest()));
        Exchanges.sendJson(ex, 200, json);
    }

    private static Map<String, String> headers(HttpExchange ex) {
        Map<String, String> headers = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : ex.getRequestHeaders().entrySet()) {
            headers.merge(e.getKey().toLowerCase(java.util.Locale.ROOT), String.join(", ", e.getValue()),
                    (a, b) -> a + ", " + b);
        }
        return headers;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
