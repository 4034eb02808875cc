package birdbath;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting without sleeping blindly: look again every interval until the condition holds or the deadline passes. */
public final class Poll {

    private Poll() { }

    public static void until(String what, Duration deadline, Duration interval, BooleanSupplier done) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new BirdbathException("gave up after " + deadline.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BirdbathException("interrupted while waiting for " + what);
            }
        }
    }
}
