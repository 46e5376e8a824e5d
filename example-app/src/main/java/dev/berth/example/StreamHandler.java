package dev.berth.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code GET /api/stream?n=N&intervalMs=M}: N server-sent events, one every M ms, chunked. */
final class StreamHandler implements HttpHandler {
    private final String appId;

    StreamHandler(String appId) {
        this.appId = appId;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        Map<String, String> params = Exchanges.query(ex);
        long n = Exchanges.number(params, "n", 5, 0, 1_000_000);
        long intervalMs = Exchanges.number(params, "intervalMs", 1000, 0, 600_000);
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Accel-Buffering", "no");
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, 0);
        // An IOException here means the client went away; the router closes the exchange quietly.
        try (OutputStream out = ex.getResponseBody()) {
            for (long seq = 1; seq <= n; seq++) {
                if (seq > 1) {
                    sleep(intervalMs);
                }
                String data = Json.object().field("seq", seq).field("appId", appId)
                        .field("time", System.currentTimeMillis()).build();
                out.write(("id: " + seq + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
