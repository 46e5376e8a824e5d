package dev.berth.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Instant;
import java.util.function.LongSupplier;

/** {@code GET /}: who answers, since when, and how many requests it served. */
final class InfoHandler implements HttpHandler {
    private final String appId;
    private final String hostname;
    private final Instant startedAt;
    private final LongSupplier requestCount;

    InfoHandler(String appId, String hostname, Instant startedAt, LongSupplier requestCount) {
        this.appId = appId;
        this.hostname = hostname;
        this.startedAt = startedAt;
        this.requestCount = requestCount;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        Exchanges.sendJson(ex, 200, Json.object()
                .field("appId", appId)
                .field("hostname", hostname)
                .field("startedAt", startedAt.toString())
                .field("requestCount", requestCount.getAsLong())
                .field("greeting", "Hello from " + appId));
    }
}
