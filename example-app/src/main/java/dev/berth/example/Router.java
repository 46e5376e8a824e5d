package dev.berth.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** Dispatches on the exact path, counts requests, and turns failures into JSON errors. */
final class Router implements HttpHandler {
    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD");
    private static final Set<String> POST = Set.of("POST");

    private record Route(Set<String> methods, HttpHandler handler) {
    }

    private final Map<String, Route> routes = new HashMap<>();
    private final AtomicLong requests = new AtomicLong();

    /** Routes GET (and HEAD) on {@code path}. */
    Router get(String path, HttpHandler handler) {
        routes.put(path, new Route(READ_METHODS, handler));
        return this;
    }

    /** Routes POST on {@code path}: for endpoints that change the process, so a stray GET cannot. */
    Router post(String path, HttpHandler handler) {
        routes.put(path, new Route(POST, handler));
        return this;
    }

    /** Routes every method on {@code path}. */
    Router any(String path, HttpHandler handler) {
        routes.put(path, new Route(null, handler));
        return this;
    }

    /** Requests received by this process so far. */
    long requestCount() {
        return requests.get();
    }

    /** Counts a request the front answered itself (a WebSocket upgrade), which never reaches the router. */
    void countRequest() {
        requests.incrementAndGet();
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try {
            String path = ex.getRequestURI().getPath();
            Route route = routes.get(path);
            if (route == null) {
                Exchanges.sendJson(ex, 404, Json.object().field("error", "not_found").field("path", path));
            } else if (route.methods() != null && !route.methods().contains(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", String.join(", ", route.methods()));
                Exchanges.sendJson(ex, 405, Json.object().field("error", "method_not_allowed")
                        .field("method", ex.getRequestMethod()).field("path", path));
            } else {
                route.handler().handle(ex);
            }
        } catch (Exchanges.BadRequest e) {
            Exchanges.sendJson(ex, 400, Json.object().field("error", "bad_request").field("message", e.getMessage()));
        } catch (IOException e) {
            // The client went away; nothing left to tell it.
        } catch (RuntimeException e) {
            if (ex.getResponseCode() == -1) {
                Exchanges.sendJson(ex, 500, Json.object().field("error", "internal_error")
                        .field("message", e.getClass().getName() + ": " + e.getMessage()));
            }
        } finally {
            ex.close();
        }
    }
}
