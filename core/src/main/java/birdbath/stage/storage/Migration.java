package birdbath.stage.storage;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.remote.SshConnection;
import birdbath.stage.NodeCommands;
import birdbath.stage.StageRun;
import java.time.Duration;
import java.util.Locale;

/**
 * Waiting for data to move: a rebalance after bricks were added, or a remove-brick's migration. glusterd runs
 * the move in its own process on the servers, so it goes on when birdbath is killed; the next `up` finds it by
 * its status and waits again. Progress is reported every {@link #REPORT_EVERY}; a server whose part stalled is
 * restarted ({@link StalledPart}).
 */
final class Migration {

    /** A bound, not an estimate: a remove-brick of terabytes over a slow disk takes hours. */
    static final Duration DEADLINE = Duration.ofHours(24);
    static final Duration REPORT_EVERY = Duration.ofSeconds(15);
    /** Each status is a cluster-wide transaction that takes the volume's lock: not more often than this. */
    static final Duration POLL = Duration.ofSeconds(3);
    /** Just after `start`, the status may still say "not started". */
    static final Duration START_GRACE = Duration.ofSeconds(30);
    /** How often each server said to be moving data is asked whether it is ({@link StalledPart}). */
    static final Duration WATCH_EVERY = Duration.ofSeconds(15);
    /** How long answers may stay uncertain (the lock held by another command, glusterd restarting). */
    static final Duration UNSURE = Duration.ofMinutes(2);

    private Migration() { }

    /**
     * Polls {@code statusCommand} (one ending in `status --xml`) until the task is no longer running; returns
     * how it ended. Fails when the task vanishes, the answers stay uncertain, or it outlives {@link #DEADLINE}.
     */
    static GlusterStatus.Task await(StageRun run, SshConnection c, String what, String statusCommand) {
        long started = System.nanoTime();
        long nextReport = started + REPORT_EVERY.toNanos();
        long sure = started;
        long nextWatch = started + WATCH_EVERY.toNanos();
        StalledPart stalled = new StalledPart(run, c, what);
        while (true) {
            String xml = c.exec(statusCommand).out();
            GlusterStatus.TaskAnswer answer = GlusterStatus.task(xml);
            long now = System.nanoTime();
            boolean early = now - started < START_GRACE.toNanos();
            if (answer.task().isPresent()) {
                GlusterStatus.Task task = answer.task().get();
                sure = now;
                if (!task.running() && !(early && task.status() == GlusterStatus.Task.NOT_STARTED)) {
                    return task;
                }
                if (now >= nextWatch) {
                    stalled.watch(xml, now);
                    nextWatch = now + WATCH_EVERY.toNanos();
                }
                if (now >= nextReport) {
                    NodeCommands.report(run.out(), c.node(), "storage", what + ": " + progress(task));
                    nextReport = now + REPORT_EVERY.toNanos();
                }
            } else if (answer.none() && !early) {
                throw new BirdbathException(c.node() + ": storage: " + what + " has no status any more (`"
                        + statusCommand + "` finds no task); run `birdbath up` again");
            } else if (answer.error() != null && now - sure > UNSURE.toNanos()) {
                throw new BirdbathException(c.node() + ": storage: cannot read how " + what + " stands for "
                        + UNSURE.toSeconds() + " s: " + answer.error() + ". It goes on in glusterd; the next"
                        + " `birdbath up` waits for it again");
            }
            if (now - started > DEADLINE.toNanos()) {
                throw new BirdbathException(c.node() + ": storage: " + what + " still runs after "
                        + DEADLINE.toHours() + " h; it goes on in glusterd, and the next `birdbath up` waits for it"
                        + " again");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BirdbathException("interrupted while waiting for " + what);
            }
        }
    }

    /** The answer to `statusCommand`, asked again while it is uncertain (for at most {@link #UNSURE}). */
    static GlusterStatus.TaskAnswer ask(SshConnection c, String statusCommand) {
        GlusterStatus.TaskAnswer[] last = {null};
        try {
            Poll.until("a certain answer to `" + statusCommand + "`", UNSURE, POLL, () ->
                    (last[0] = GlusterStatus.task(c.exec(statusCommand).out())).error() == null);
        } catch (BirdbathException e) {
            throw new BirdbathException(c.node() + ": storage: " + e.getMessage() + "; the last was: "
                    + last[0].error());
        }
        return last[0];
    }

    static String progress(GlusterStatus.Task t) {
        // remove-brick reports skipped files among the failed ones
        return String.format(Locale.ROOT, "%s, %d files (%.1f MB) moved in %.0f s%s", t.statusText(), t.files(),
                t.bytes() / 1e6, t.seconds(), t.failures() + t.skipped() > 0 ? ", " + (t.failures() + t.skipped())
                + " failed or skipped" : "");
    }
}
