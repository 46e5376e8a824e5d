package dev.berth.example;

/**
 * Test hooks that make the app misbehave at start, so Berth's handling of failed and slow starts
 * can be tested with the real image. Both are read once, before anything listens:
 * <ul>
 *   <li>{@code EXAMPLE_EXIT_ON_START=<code>} (0 to 255): prints
 *       {@code example-app <appId> exiting with <code> as EXAMPLE_EXIT_ON_START asks} and exits with
 *       that code; a container that dies at once, as with a broken configuration.
 *   <li>{@code EXAMPLE_START_DELAY_MS=<ms>}: sleeps that long first; a slow boot, during which the
 *       port refuses connections.
 * </ul>
 * A value that is not a number stops the app with exit code 2, like a bad PORT.
 */
final class StartHooks {
    private StartHooks() {
    }

    static void run(String appId) {
        long exitCode = number("EXAMPLE_EXIT_ON_START", 0, 255);
        if (exitCode >= 0) {
            System.out.println("example-app " + appId + " exiting with " + exitCode
                    + " as EXAMPLE_EXIT_ON_START asks");
            System.exit((int) exitCode);
        }
        long delayMs = number("EXAMPLE_START_DELAY_MS", 0, Long.MAX_VALUE);
        if (delayMs > 0) {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The variable as a number in [min, max]; -1 when unset or blank. */
    private static long number(String name, long min, long max) {
        String text = System.getenv(name);
        if (text == null || text.isBlank()) {
            return -1;
        }
        try {
            long value = Long.parseLong(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println("example-app: " + name + " must be a whole number from " + min
                + (max == Long.MAX_VALUE ? "" : " to " + max) + ", got '" + text + "'");
        System.exit(2);
        return -1;
    }
}
