package dev.berth.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.URL;

/**
 * {@code GET /api/fetch?url=U}: fetches U from inside the container, to show what the tenant can
 * reach. Off unless {@code EXAMPLE_ALLOW_FETCH=1}.
 */
final class FetchHandler implements HttpHandler {
    private static final int TIMEOUT_MS = 3000;

    private final boolean enabled;

    FetchHandler(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        if (!enabled) {
            Exchanges.sendJson(ex, 403, Json.object().field("error", "fetch_disabled")
                    .field("message", "start the app with EXAMPLE_ALLOW_FETCH=1 to enable /api/fetch"));
            return;
        }
        String url = Exchanges.query(ex).get("url");
        if (url == null || url.isBlank()) {
            throw new Exchanges.BadRequest("url is required");
        }
        URL target;
        try {
            target = new URL(url);
        } catch (MalformedURLException e) {
            throw new Exchanges.BadRequest("bad url: " + e.getMessage());
        }
        if (!target.getProtocol().equals("http") && !target.getProtocol().equals("https")) {
            throw new Exchanges.BadRequest("only http and https urls can be fetched");
        }
        Json answer = Json.object().field("url", url);
        try {
            answer.field("status", fetch(target));
        } catch (IOException | RuntimeException e) {
            answer.field("error", e.getClass().getName() + ": " + e.getMessage());
        }
        Exchanges.sendJson(ex, 200, answer);
    }

    private static int fetch(URL target) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) target.openConnection(Proxy.NO_PROXY);
        try {
            conn.setConnectTimeout(TIMEOUT_MS);
            conn.setReadTimeout(TIMEOUT_MS);
            conn.setInstanceFollowRedirects(false);
            conn.setUseCaches(false);
            int status = conn.getResponseCode();
            InputStream body = status >= 400 ? conn.getErrorStream() : conn.getInputStream();
            if (body != null) {
                body.close();
            }
            return status;
        } finally {
            conn.disconnect();
        }
    }
}
