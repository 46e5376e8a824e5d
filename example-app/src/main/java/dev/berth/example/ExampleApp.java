package dev.berth.example;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The default tenant app: a JDK-only HTTP server configured by APP_ID, PORT and EXAMPLE_ALLOW_FETCH.
 *
 * <p>Connections to PORT reach a {@link Front}, which answers WebSocket upgrades to /ws/echo itself
 * and pipes everything else to the HttpServer, which listens on an ephemeral loopback port.
 *
 * <p>Test hooks, read once at start (see {@link StartHooks}):
 * <ul>
 *   <li>{@code EXAMPLE_EXIT_ON_START=<code>}: print a line saying so and exit with that code,
 *       before listening.
 *   <li>{@code EXAMPLE_START_DELAY_MS=<ms>}: sleep that long before listening, like a slow boot.
 * </ul>
 * and at run time {@code POST /api/crash?code=N} (the process dies with N, no shutdown hook),
 * {@code POST /api/alloc?mb=N} (N MiB more kept until the end, to meet the container's memory limit)
 * and {@code POST /api/write?path=P} (writes a line to P, to meet a read-only file system).
 */
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
        StartHooks.run(appId);

        Router router = new Router();
        router.get("/", new InfoHandler(appId, hostname(), Instant.now(), router::requestCount))
                .get("/health", ex -> Exchanges.sendJson(ex, 200, "{\"status\":\"ok\"}"))
                .get("/api/data", ex -> Exchanges.sendJson(ex, 200, SAMPLE_DATA))
                .any("/api/echo", new EchoHandler(appId))
                .get("/api/stream", new StreamHandler(appId))
                .get("/api/slow", new SlowHandler())
                .get("/api/fetch", new FetchHandler(allowFetch))
                .post("/api/crash", new CrashHandler())
                .post("/api/alloc", new AllocHandler())
                .post("/api/write", new WriteHandler());

        ExecutorService workers = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "http-worker");
            t.setDaemon(true);
            return t;
        });
        Front front = new Front(port);
        // The HttpServer writes an answer's head and body separately; with Nagle's algorithm the
        // body waits for the ACK of the head, which the peer delays by 40 ms: 23 answers a second
        // on a keep-alive connection. Read when the HttpServer classes load; an explicit -D wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // Only the front talks to it; it must be up before the front accepts anything.
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.createContext("/", router);
        server.setExecutor(workers);
        server.start();
        front.start(server.getAddress(), router::countRequest);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("example-app " + appId + " stopping");
            front.stop();
            server.stop(0);
            workers.shutdownNow();
        }, "shutdown"));
        System.out.println("example-app " + appId + " listening on " + front.port());
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
