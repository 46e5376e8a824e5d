package dev.berth.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code POST /api/write?path=P}: writes one short line to the file P, replacing it, and answers
 * {@code {"path":P,"written":true}}, or {@code "written":false} with the error the file system
 * gave (such as {@code Read-only file system}): shows where the tenant can write. The image has no
 * shell, so nothing else can look from inside.
 */
final class WriteHandler implements HttpHandler {
    private static final byte[] LINE = "written by example-app\n".getBytes(StandardCharsets.UTF_8);

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path = Exchanges.query(ex).get("path");
        if (path == null || !path.startsWith("/")) {
            throw new Exchanges.BadRequest("path must be an absolute file path");
        }
        Json answer = Json.object().field("path", path);
        try {
            Files.write(Path.of(path), LINE);
            answer.field("written", true);
        } catch (IOException | RuntimeException e) {
            answer.field("written", false).field("error", e.getClass().getName() + ": " + e.getMessage());
        }
        Exchanges.sendJson(ex, 200, answer);
    }
}
