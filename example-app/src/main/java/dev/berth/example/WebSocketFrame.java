package dev.berth.example;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** One WebSocket frame (RFC 6455 section 5) as a server reads and writes it; no extensions. */
record WebSocketFrame(boolean fin, int opcode, byte[] payload) {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    static final int PROTOCOL_ERROR = 1002;
    static final int TOO_BIG = 1009;

    /** The peer broke the protocol or a limit; the connection ends with a close frame of {@link #code}. */
    static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;
        final int code;

        Failure(int code, String reason) {
            super(reason, null);
            this.code = code;
        }
    }

    boolean isControl() {
        return opcode >= CLOSE;
    }

    /**
     * Reads a client frame and unmasks its payload; null at a clean end of stream before a frame.
     * The length is checked before any payload is read: over {@code maxDataPayload} for a data
     * frame is a {@link #TOO_BIG} failure, so a huge frame is never buffered.
     */
    static WebSocketFrame read(DataInputStream in, long maxDataPayload) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.readUnsignedByte();
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            throw new Failure(PROTOCOL_ERROR, "reserved bits set without an extension");
        }
        if ((b1 & 0x80) == 0) {
            throw new Failure(PROTOCOL_ERROR, "client frames must be masked");
        }
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
            if (length < 0) {
                throw new Failure(PROTOCOL_ERROR, "64-bit length with the top bit set");
            }
        }
        if (opcode >= CLOSE) {
            if (opcode > PONG) {
                throw new Failure(PROTOCOL_ERROR, "unknown opcode " + opcode);
            }
            if (!fin || length > 125) {
                throw new Failure(PROTOCOL_ERROR, "control frames must be whole and at most 125 bytes");
            }
        } else if (opcode > BINARY) {
            throw new Failure(PROTOCOL_ERROR, "unknown opcode " + opcode);
        } else if (length > maxDataPayload) {
            throw new Failure(TOO_BIG, "message over " + WebSocketEcho.MAX_MESSAGE + " bytes");
        }
        byte[] mask = new byte[4];
        in.readFully(mask);
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        return new WebSocketFrame(fin, opcode, payload);
    }

    /** Writes one unmasked, final frame (servers never mask) and flushes it. */
    static void write(DataOutputStream out, int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        if (payload.length < 126) {
            out.write(payload.length);
        } else if (payload.length <= 0xFFFF) {
            out.write(126);
            out.writeShort(payload.length);
        } else {
            out.write(127);
            out.writeLong(payload.length);
        }
        out.write(payload);
        out.flush();
    }

    /** A close frame's payload: the code, then the reason in UTF-8 (ASCII here, so the cut is safe). */
    static byte[] closePayload(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + Math.min(text.length, 123)];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        return payload;
    }
}
