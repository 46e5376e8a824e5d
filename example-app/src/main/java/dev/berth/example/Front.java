package dev.berth.example;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The app's public listener on PORT. The JDK HttpServer cannot give up a connection after a 101
 * answer, so it listens on loopback only and this front accepts every connection, reads the first
 * request head, and either answers a WebSocket upgrade to {@link WebSocketEcho#PATH} itself or
 * pipes the connection, byte for byte, to the HttpServer. Only the first request of a connection
 * is looked at: a WebSocket upgrade sent on a keep-alive connection after other requests reaches
 * the HttpServer, which answers 404, as for upgrades to any other path.
 */
final class Front {
    /**
     * How long a new connection may take to send its first request head. Without it a client that
     * connects and says nothing would hold a thread forever; the HttpServer closes idle keep-alive
     * connections itself after 30 s, which ends their pipes.
     */
    static final int HEAD_TIMEOUT_MS = 30_000;

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "front");
        t.setDaemon(true);
        return t;
    });
    private Pipe pipe;
    private Runnable countWebSocket;

    /**
     * Binds {@code port} on every interface, before anything else starts, so that a port in use
     * ends the app at once instead of leaving the HttpServer's threads running.
     */
    Front(int port) throws IOException {
        listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(port), 128);
    }

    /** Starts accepting: pipes to {@code backend}, runs {@code countWebSocket} for each WebSocket connection. */
    void start(InetSocketAddress backend, Runnable countWebSocket) {
        this.pipe = new Pipe(backend, threads);
        this.countWebSocket = countWebSocket;
        // Not a daemon: with the HttpServer's dispatcher, it is what keeps the JVM running.
        new Thread(this::accept, "front-accept").start();
    }

    int port() {
        return listener.getLocalPort();
    }

    void stop() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        threads.shutdownNow();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
                pause(); // out of file descriptors, say: wait a little instead of spinning
                continue;
            }
            try {
                threads.execute(() -> serve(client));
            } catch (RuntimeException e) {
                Pipe.closeQuietly(client); // stopping
            }
        }
    }

    private void serve(Socket client) {
        try {
            client.setTcpNoDelay(true);
            client.setSoTimeout(HEAD_TIMEOUT_MS);
            RequestHead head = RequestHead.read(client.getInputStream());
            if (head.length == 0) {
                client.close(); // connected and left without a word, like a port probe
                return;
            }
            // Answers may take minutes (/api/slow, /api/stream): from here the HttpServer's timers rule.
            client.setSoTimeout(0);
            if (head.isWebSocketUpgrade() && head.path().equals(WebSocketEcho.PATH)) {
                countWebSocket.run();
                WebSocketEcho.serve(client, head);
            } else {
                pipe.run(client, head);
            }
        } catch (IOException | RuntimeException e) {
            // A silent client (the head timeout), a reset, or a bug: nothing to answer on.
            Pipe.closeQuietly(client);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
