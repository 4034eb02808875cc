package birdbath.owntracks2db;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * `java -jar owntracks2db.jar [--config FILE]`: the ingest, plus /metrics, /healthz and /readyz on the metrics
 * port. SIGTERM commits and acknowledges what was received before the process ends.
 */
public final class Owntracks2db {

    private Owntracks2db() { }

    public static void main(String[] args) throws Exception {
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                config = Path.of(args[++i]);
            } else {
                System.err.println("usage: owntracks2db [--config FILE]; settings come from OWNTRACKS2DB_* variables");
                System.exit(2);
            }
        }
        Settings settings;
        try {
            settings = Settings.load(System.getenv(), config);
        } catch (Settings.Invalid e) {
            for (String problem : e.getMessage().split("\n")) {
                Log.error("invalid setting", "problem", problem);
            }
            System.exit(2);
            return;
        }
        serve(settings, BatchWriter::write);
    }

    /** Runs the service until SIGTERM, or until the writer ends (exit 3) or cannot start (exit 1). */
    static void serve(Settings settings, Ingest.Writes writes) throws Exception {
        Log.info("starting", "settings", settings);
        // the writer ended: exit non-zero at once (no shutdown hook: it would wait for that writer), leaving
        // what was not committed unacknowledged with the broker, which sends it again to the restarted service
        Ingest ingest = new Ingest(settings, writes).onFatal(t -> Runtime.getRuntime().halt(3));
        HttpServer http = HttpServer.create(new InetSocketAddress(settings.metricsPort()), 16);
        http.createContext("/metrics", ex -> answer(ex, 200, ingest.metricsText()));
        http.createContext("/healthz", ex -> answer(ex, ingest.healthy() ? 200 : 503, ingest.healthy() ? "ok\n"
                : "the writer stopped\n"));
        http.createContext("/readyz", ex -> answer(ex, ingest.ready() ? 200 : 503, ingest.ready() ? "ready\n"
                : "not ready: MQTT or the database is not reachable\n"));
        http.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ingest.close();
            Log.info("stopped", "persisted", ingest.metrics().persisted.get());
            http.stop(0);
            stopped.countDown();
        }));
        try {
            ingest.start();
        } catch (Exception e) {
            // the broker or the database is not there (yet): exit, and the supervisor starts it again
            Log.error("cannot start", "error", String.valueOf(e.getMessage() == null ? e : e.getMessage()));
            http.stop(0);
            Runtime.getRuntime().halt(1);
        }
        Log.info("running", "metrics_port", settings.metricsPort());
        stopped.await();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange ex, int status, String body)
            throws java.io.IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }
}
