package birdbath.linode;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Keeps creations under Linode's published per-endpoint limits (instances 20 per 15 s, volumes 100 per minute),
 * so a large cluster does not run into 429s. The server counts a request when it arrives, later than it is
 * counted here: a margin keeps the two windows apart.
 */
final class CreatePacer {

    private static final long MARGIN_MILLIS = 1000;

    /** Linode's limits for creates, by collection path: {count, window in ms}. */
    static final Map<String, long[]> LIMITS = Map.of(
            "/linode/instances", new long[] {20, 15_000},
            "/volumes", new long[] {100, 60_000});

    private final int limit;
    private final long windowMillis;
    private final Deque<Long> recent = new ArrayDeque<>();

    CreatePacer(long[] limit) {
        this.limit = (int) limit[0];
        this.windowMillis = limit[1] + MARGIN_MILLIS;
    }

    synchronized void acquire() throws InterruptedException {
        while (true) {
            long now = System.currentTimeMillis();
            while (!recent.isEmpty() && recent.peekFirst() <= now - windowMillis) {
                recent.pollFirst();
            }
            if (recent.size() < limit) {
                recent.addLast(now);
                return;
            }
            wait(Math.max(1, recent.peekFirst() + windowMillis - now));
        }
    }
}
