package birdbath;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting without sleeping blindly: look again every interval until the condition holds or the deadline passes. */
public final class Poll {

    private Poll() { }

    public static void until(String what, Duration deadline, Duration interval, BooleanSupplier done) {
        if (!within(what, deadline, interval, done)) {
            throw new BirdbathException("gave up after " + deadline.toSeconds() + " s waiting for " + what);
        }
    }

    /** Whether the condition held before the deadline passed; for a caller that has something to do if not. */
    public static boolean within(String what, Duration deadline, Duration interval, BooleanSupplier done) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BirdbathException("interrupted while waiting for " + what);
            }
        }
        return true;
    }
}
