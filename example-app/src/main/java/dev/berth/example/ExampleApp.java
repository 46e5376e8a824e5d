package dev.berth.example;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The default tenant app: a JDK-only HTTP server configured by APP_ID, PORT and EXAMPLE_ALLOW_FETCH. */
public final class ExampleApp {
    private static final String SAMPLE_DATA = "{\"items\":["
            + "{\"id\":1,\"name\":\"Anchor\",\"price\":49.90},"
            + "{\"id\":2,\"name\":\"Bollard\",\"price\":120.00},"
            + "{\"id\":3,\"name\":\"Cleat\",\"price\":12.50}"
            + "],\"currency\":\"EUR\"}";

    private ExampleApp() {
    }

    public static void main(String[] args) throws IOException {
        String appId = env("APP_ID", "unknown");
        int port = port(env("PORT", "8080"));
        boolean allowFetch = "1".equals(System.getenv("EXAMPLE_ALLOW_FETCH"));

        Router router = new Router();
        router.get("/", new InfoHandler(appId, hostname(), Instant.now(), router::requestCount))
                .get("/health", ex -> Exchanges.sendJson(ex, 200, "{\"status\":\"ok\"}"))
                .get("/api/data", ex -> Exchanges.sendJson(ex, 200, SAMPLE_DATA))
                .any("/api/echo", new EchoHandler(appId))
                .get("/api/stream", new StreamHandler(appId))
                .get("/api/slow", new SlowHandler())
                .get("/api/fetch", new FetchHandler(allowFetch));

        ExecutorService workers = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "http-worker");
            t.setDaemon(true);
            return t;
        });
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 128);
        server.createContext("/", router);
        server.setExecutor(workers);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("example-app " + appId + " stopping");
            server.stop(0);
            workers.shutdownNow();
        }, "shutdown"));
        System.out.println("example-app " + appId + " listening on " + port);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println("example-app: PORT must be a number from 0 to 65535, got '" + text + "'");
        System.exit(2);
        return -1;
    }

    /** Docker sets HOSTNAME and mounts /etc/hostname; neither needs a DNS lookup. */
    private static String hostname() {
        String name = System.getenv("HOSTNAME");
        if (name != null && !name.isBlank()) {
            return name.trim();
        }
        try {
            return Files.readString(Path.of("/etc/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
