package birdbath;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs named tasks at once with bounded concurrency. Every task runs to its end even when others fail, so
 * nothing is left half-done; then all failures are reported together, each under its name.
 */
public final class Parallel {

    private Parallel() { }

    public static void run(String what, Map<String, Runnable> tasks, int maxThreads) {
        if (tasks.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(maxThreads, tasks.size())), r -> {
            Thread t = new Thread(r, "birdbath-" + what);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Map.Entry<String, Future<?>>> futures = new ArrayList<>();
            for (Map.Entry<String, Runnable> task : tasks.entrySet()) {
                futures.add(Map.entry(task.getKey(), pool.submit(task.getValue())));
            }
            List<String> failures = new ArrayList<>();
            for (Map.Entry<String, Future<?>> f : futures) {
                try {
                    f.getValue().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    String message = cause instanceof BirdbathException ? cause.getMessage() : cause.toString();
                    // messages from a node's steps name the node already
                    failures.add("  " + (message.startsWith(f.getKey() + ": ") ? "" : f.getKey() + ": ") + message);
                }
            }
            if (!failures.isEmpty()) {
                throw new BirdbathException(what + ": " + failures.size() + " of " + tasks.size() + " failed:\n"
                        + String.join("\n", failures));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BirdbathException("interrupted during " + what);
        } finally {
            pool.shutdownNow();
        }
    }
}
