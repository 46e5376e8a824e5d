package dev.berth.example;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * {@code GET /ws/echo} as a WebSocket (RFC 6455, without extensions or subprotocols): every text or
 * binary message comes back as one frame of the same type, fragmented ones once reassembled; a
 * ping gets a pong with its payload; a close gets a close with the same code, then the connection
 * ends. Messages over {@link #MAX_MESSAGE} bytes end it with 1009, protocol errors with 1002,
 * text that is not UTF-8 with 1007. The text "close" is a message like any other.
 */
final class WebSocketEcho {
    static final String PATH = "/ws/echo";
    static final int MAX_MESSAGE = 1024 * 1024;
    /** RFC 6455 section 1.3; the RFC's example: key dGhlIHNhbXBsZSBub25jZQ== gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo=. */
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int INVALID_DATA = 1007;
    /** After our close frame, how long to read and drop what the client still sends; see {@link #finish}. */
    private static final int DRAIN_MS = 2_000;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private WebSocketEcho(Socket socket, InputStream in) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(in);
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 16 * 1024));
    }

    /** Answers the opening handshake in {@code head}, then echoes until the end; closes the socket. */
    static void serve(Socket socket, RequestHead head) throws IOException {
        try (socket) {
            // A client may send its first frames right behind the head, so they may already be read.
            InputStream rest = new SequenceInputStream(
                    new ByteArrayInputStream(head.bytes, head.headLength, head.length - head.headLength),
                    new BufferedInputStream(socket.getInputStream(), 16 * 1024));
            WebSocketEcho echo = new WebSocketEcho(socket, rest);
            if (echo.handshake(head)) {
                echo.loop();
            }
        }
    }

    private boolean handshake(RequestHead head) throws IOException {
        String key = head.header("sec-websocket-key");
        if (!head.header("sec-websocket-version").equals("13")) {
            refuse(426, "Sec-WebSocket-Version: 13\r\n", "unsupported_websocket_version");
            return false;
        }
        if (!isNonce(key)) {
            refuse(400, "", "bad_websocket_key");
            return false;
        }
        String accept = Base64.getEncoder().encodeToString(
                sha1().digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1)));
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return true;
    }

    private void loop() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int messageType = -1; // the opcode of a fragmented message under way, -1 between messages
        try {
            while (true) {
                long room = MAX_MESSAGE - (long) message.size();
                WebSocketFrame frame = WebSocketFrame.read(in, room);
                if (frame == null) {
                    return; // the client went away without a close frame
                }
                switch (frame.opcode()) {
                    case WebSocketFrame.PING -> WebSocketFrame.write(out, WebSocketFrame.PONG, frame.payload());
                    case WebSocketFrame.PONG -> {
                        // an unsolicited pong is a heartbeat; nothing to answer
                    }
                    case WebSocketFrame.CLOSE -> {
                        WebSocketFrame.write(out, WebSocketFrame.CLOSE, closeReply(frame.payload()));
                        finish();
                        return;
                    }
                    default -> {
                        boolean continuation = frame.opcode() == WebSocketFrame.CONTINUATION;
                        if (continuation != (messageType >= 0)) {
                            throw new WebSocketFrame.Failure(WebSocketFrame.PROTOCOL_ERROR, continuation
                                    ? "continuation frame outside a fragmented message"
                                    : "new message before the fragmented one ended");
                        }
                        if (!continuation) {
                            messageType = frame.opcode();
                        }
                        message.write(frame.payload());
                        if (frame.fin()) {
                            byte[] whole = message.toByteArray();
                            if (messageType == WebSocketFrame.TEXT && !isUtf8(whole)) {
                                throw new WebSocketFrame.Failure(INVALID_DATA, "text message is not UTF-8");
                            }
                            WebSocketFrame.write(out, messageType, whole);
                            message.reset();
                            messageType = -1;
                        }
                    }
                }
            }
        } catch (WebSocketFrame.Failure e) {
            WebSocketFrame.write(out, WebSocketFrame.CLOSE, WebSocketFrame.closePayload(e.code, e.getMessage()));
            finish();
        }
    }

    /** Our answer to a close frame: its code when it sent a valid one, else none or 1002. */
    private static byte[] closeReply(byte[] payload) {
        if (payload.length == 0) {
            return payload;
        }
        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 0;
        // 1004-1006 and 1015 must never be sent; 1016-2999 are reserved; below 1000 unused.
        boolean valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
        return valid ? new byte[] {payload[0], payload[1]}
                : WebSocketFrame.closePayload(WebSocketFrame.PROTOCOL_ERROR, "bad close frame");
    }

    /**
     * Ends the connection after our close frame. The server closes the TCP connection first
     * (RFC 6455 section 7.1.1), but closing with unread input makes the kernel send a reset, which
     * can destroy the close frame before the client reads it; so the output is shut and the input
     * drained for a while first.
     */
    private void finish() throws IOException {
        socket.shutdownOutput();
        socket.setSoTimeout(DRAIN_MS);
        long deadline = System.nanoTime() + DRAIN_MS * 1_000_000L;
        byte[] sink = new byte[16 * 1024];
        try {
            while (in.read(sink) >= 0 && System.nanoTime() < deadline) {
                // dropped
            }
        } catch (SocketTimeoutException e) {
            // the client kept the connection open; close it anyway
        }
    }

    private void refuse(int status, String extraHeaders, String error) throws IOException {
        byte[] body = Json.object().field("error", error).build().getBytes(StandardCharsets.UTF_8);
        String reason = status == 426 ? "Upgrade Required" : "Bad Request";
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\n" + extraHeaders
                + "Content-Type: application/json; charset=utf-8\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        finish();
    }

    /** The key must be base64 of 16 bytes (RFC 6455 section 4.1). */
    private static boolean isNonce(String key) {
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JDK", e);
        }
    }
}
