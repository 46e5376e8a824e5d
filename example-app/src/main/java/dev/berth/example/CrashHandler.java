package dev.berth.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;

/**
 * {@code POST /api/crash?code=N} (default 1, 0 to 255): answers 202, then about
 * {@link #DELAY_MS} ms later halts the JVM with exit code N. Halt, not exit: no shutdown hook runs
 * and nothing is said on stdout, as when a real process crashes.
 */
final class CrashHandler implements HttpHandler {
    /** Time for the answer to travel through the front's pipe to the client before the process dies. */
    static final long DELAY_MS = 100;

    @Override
    public void handle(HttpExchange ex) throws IOException {
        int code = (int) Exchanges.number(Exchanges.query(ex), "code", 1, 0, 255);
        Exchanges.sendJson(ex, 202, Json.object().field("crashing", true).field("code", code));
        Thread crasher = new Thread(() -> {
            try {
                Thread.sleep(DELAY_MS);
            } catch (InterruptedException e) {
                // crash now then
            }
            Runtime.getRuntime().halt(code);
        }, "crash");
        crasher.setDaemon(true);
        crasher.start();
    }
}
