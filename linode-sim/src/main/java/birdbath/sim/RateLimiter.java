package birdbath.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;

/** Linode's published per-operation limits, as sliding windows. */
final class RateLimiter {

    enum Bucket {
        CREATE_LINODE(20, 15_000), CREATE_VOLUME(100, 60_000), PAGINATED_GET(200, 60_000), OTHER(1600, 60_000);

        final int limit;
        final long windowMillis;

        Bucket(int limit, long windowMillis) {
            this.limit = limit;
            this.windowMillis = windowMillis;
        }
    }

    /** The outcome for one request: allowed or not, and what the X-RateLimit headers say. */
    record Decision(boolean allowed, Bucket bucket, int remaining, long resetEpochSeconds, long retryAfterSeconds) { }

    private final Map<Bucket, Deque<Long>> windows = new EnumMap<>(Bucket.class);
    private final boolean enabled;

    RateLimiter(boolean enabled) {
        this.enabled = enabled;
        for (Bucket b : Bucket.values()) {
            windows.put(b, new ArrayDeque<>());
        }
    }

    static Bucket bucketFor(String method, String path, boolean collection) {
        if (method.equals("POST") && path.equals("/linode/instances")) {
            return Bucket.CREATE_LINODE;
        }
        if (method.equals("POST") && path.equals("/volumes")) {
            return Bucket.CREATE_VOLUME;
        }
        if (method.equals("GET") && collection) {
            return Bucket.PAGINATED_GET;
        }
        return Bucket.OTHER;
    }

    synchronized Decision admit(Bucket bucket, long nowMillis) {
        Deque<Long> window = windows.get(bucket);
        while (!window.isEmpty() && window.peekFirst() <= nowMillis - bucket.windowMillis) {
            window.pollFirst();
        }
        long reset = (window.isEmpty() ? nowMillis : window.peekFirst()) + bucket.windowMillis;
        if (enabled && window.size() >= bucket.limit) {
            long retryAfter = Math.max(1, (reset - nowMillis + 999) / 1000);
            return new Decision(false, bucket, 0, reset / 1000, retryAfter);
        }
        window.addLast(nowMillis);
        return new Decision(true, bucket, Math.max(0, bucket.limit - window.size()), reset / 1000, 0);
    }
}
