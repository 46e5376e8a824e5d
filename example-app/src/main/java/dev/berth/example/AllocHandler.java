package dev.berth.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code POST /api/alloc?mb=N}: allocates N MiB more and keeps it until the process ends, to drive
 * the container into its memory limit. The goal is the kernel's OOM killer, not a Java
 * OutOfMemoryError: the image runs with -XX:MaxRAMPercentage=75, so the heap may reach 75% of the
 * container limit and direct buffers as much again. Chunks of {@link #CHUNK} alternate between the
 * two, keeping each under its own limit while their sum passes the container's.
 *
 * <p>Every page is written, as untouched pages cost no memory. A heap OutOfMemoryError still ends
 * the JVM at once (-XX:+ExitOnOutOfMemoryError in the image); one for direct memory is thrown by
 * Java code, which that flag ignores, and is answered 507.
 */
final class AllocHandler implements HttpHandler {
    static final int MIB = 1024 * 1024;
    static final int CHUNK = 8 * MIB;
    private static final int PAGE = 4096;

    /** Everything allocated so far; static so nothing is ever collected. */
    private static final List<Object> KEPT = new ArrayList<>();
    private static long keptBytes;
    private static boolean nextOnHeap = true;

    @Override
    public void handle(HttpExchange ex) throws IOException {
        long mb = Exchanges.number(Exchanges.query(ex), "mb", 1, 1, 1024 * 1024);
        long before;
        synchronized (KEPT) {
            before = keptBytes;
            try {
                for (long left = mb * MIB; left > 0; left -= CHUNK) {
                    allocate((int) Math.min(left, CHUNK));
                }
            } catch (OutOfMemoryError e) {
                Exchanges.sendJson(ex, 507, Json.object().field("error", "out_of_memory")
                        .field("message", e.toString())
                        .field("allocatedMb", (keptBytes - before) / MIB)
                        .field("totalMb", keptBytes / MIB));
                return;
            }
        }
        Exchanges.sendJson(ex, 200, Json.object().field("allocatedMb", mb).field("totalMb", keptBytes / MIB));
    }

    private static void allocate(int size) {
        if (nextOnHeap) {
            byte[] chunk = new byte[size];
            Arrays.fill(chunk, (byte) 1);
            KEPT.add(chunk);
        } else {
            // allocateDirect zeroes the memory today, but that is not promised; write every page.
            ByteBuffer chunk = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i += PAGE) {
                chunk.put(i, (byte) 1);
            }
            KEPT.add(chunk);
        }
        keptBytes += size;
        nextOnHeap = !nextOnHeap;
    }
}
