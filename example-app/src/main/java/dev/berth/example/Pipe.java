package dev.berth.example;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Joins a client connection to a new connection to the HttpServer on loopback and copies bytes both
 * ways until both are done; it knows nothing of HTTP, so keep-alive, chunked bodies and streamed
 * answers pass as they are. A side that ends its stream has that end passed on as a half-close, so
 * a client that sends a request and shuts its output still gets the whole answer.
 */
final class Pipe {
    private static final int BUFFER = 32 * 1024;
    /**
     * After the HttpServer closed, how long the client may take to close too. The HttpServer never
     * reads again, so waiting longer only holds a thread; closing with unread input at once could
     * make the kernel send a reset that destroys the end of the answer in flight.
     */
    private static final long LINGER_MS = 5_000;

    private final InetSocketAddress backend;
    private final Executor threads;

    Pipe(InetSocketAddress backend, Executor threads) {
        this.backend = backend;
        this.threads = threads;
    }

    /**
     * Forwards {@code head} then everything else. Returns when the client has nothing more to send;
     * the answer may still be flowing on another thread, which closes both sockets when it is done.
     */
    void run(Socket client, RequestHead head) {
        // DIRECT: a plain new Socket() asks the ProxySelector on every connect and loads SOCKS classes.
        Socket server = new Socket(Proxy.NO_PROXY);
        try {
            server.setTcpNoDelay(true);
            server.connect(backend);
            server.getOutputStream().write(head.bytes, 0, head.length);
        } catch (IOException e) {
            closeQuietly(server);
            closeQuietly(client);
            return;
        }
        CountDownLatch clientDone = new CountDownLatch(1);
        threads.execute(() -> serverToClient(server, client, clientDone));
        try {
            copy(client.getInputStream(), server.getOutputStream());
            server.shutdownOutput();
        } catch (IOException e) {
            // A reset or a failed write: nothing more can pass either way.
            closeQuietly(server);
            closeQuietly(client);
        } finally {
            clientDone.countDown();
        }
    }

    private static void serverToClient(Socket server, Socket client, CountDownLatch clientDone) {
        try {
            copy(server.getInputStream(), client.getOutputStream());
            client.shutdownOutput();
            clientDone.await(LINGER_MS, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            // the other direction failed or the client went away; closed below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(server);
            closeQuietly(client);
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
