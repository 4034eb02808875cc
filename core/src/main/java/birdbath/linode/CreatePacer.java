package birdbath.linode;

import java.util.ArrayDeque;
import java.util.Deque;

/** Keeps instance creations under Linode's limit (20 per 15 s) so a large cluster does not run into 429s. */
final class CreatePacer {

    private final int limit;
    private final long windowMillis;
    private final Deque<Long> recent = new ArrayDeque<>();

    CreatePacer(int limit, long windowMillis) {
        this.limit = limit;
        this.windowMillis = windowMillis;
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
