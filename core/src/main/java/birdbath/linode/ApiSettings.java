package birdbath.linode;

import java.time.Duration;

/**
 * How patiently the client talks to the API.
 *
 * @param maxAttempts   tries for a request failing with 5xx or a broken connection
 * @param baseBackoff   first backoff; doubles per attempt, capped at maxBackoff, with full jitter
 * @param deadline      overall time a single request may take, 429 waits included
 * @param pollInterval  how often status waits look again
 */
public record ApiSettings(int maxAttempts, Duration baseBackoff, Duration maxBackoff, Duration deadline,
                          Duration requestTimeout, Duration pollInterval, Duration waitDeadline) {

    public static ApiSettings defaults() {
        return new ApiSettings(8, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofMinutes(10),
                Duration.ofSeconds(60), Duration.ofSeconds(2), Duration.ofMinutes(15));
    }

    public ApiSettings withBackoff(Duration base, Duration max) {
        return new ApiSettings(maxAttempts, base, max, deadline, requestTimeout, pollInterval, waitDeadline);
    }

    public ApiSettings withPollInterval(Duration poll) {
        return new ApiSettings(maxAttempts, baseBackoff, maxBackoff, deadline, requestTimeout, poll, waitDeadline);
    }

    public ApiSettings withDeadline(Duration d) {
        return new ApiSettings(maxAttempts, baseBackoff, maxBackoff, d, requestTimeout, pollInterval, waitDeadline);
    }
}
