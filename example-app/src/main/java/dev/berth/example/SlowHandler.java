package dev.berth.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;

/** {@code GET /api/slow?ms=M}: answers after M ms (capped at {@link #MAX_MS}). */
final class SlowHandler implements HttpHandler {
    static final long MAX_MS = 600_000;

    @Override
    public void handle(HttpExchange ex) throws IOException {
        long ms = Math.min(MAX_MS, Exchanges.number(Exchanges.query(ex), "ms", 1000, 0, Long.MAX_VALUE));
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Exchanges.sendJson(ex, 200, Json.object().field("sleptMs", ms));
    }
}
