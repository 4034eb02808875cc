package birdbath.bench;

import birdbath.owntracks2db.Ingest;
import birdbath.owntracks2db.Settings;
import birdbath.testkit.IngestServices;
import birdbath.testkit.TestMosquitto;
import birdbath.testkit.TestPostgres;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;

/**
 * owntracks2db's ingest rate against its two ceilings, in one run on this machine: N location messages (QoS 1,
 * several users and devices) published as fast as the broker takes them; ingest = first publish to last
 * commit, lag = publish to the row's write time (p50/p99). Ceilings: the broker delivering the same messages to
 * a plain `mosquitto_sub -q 1`, and PostgreSQL taking the same rows by COPY. Needs root, mosquitto and
 * postgresql. Usage: OwntracksBench [OUTPUT.md] [N]
 */
public final class OwntracksBench {

    private static final int USERS = 10;
    private static final int DEVICES = 2;
    private static final int IN_FLIGHT = 1000;
    private static final int WARM_UP = 200_000;
    private static final java.util.regex.Pattern PERSISTED =
            java.util.regex.Pattern.compile("(?m)^total_persisted_updates (\\d+)$");

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        double ingestRate;
        double lagP50;
        double lagP99;
        double brokerRate;
        double copyRate;
        try (IngestServices services = new IngestServices()) {
            TestPostgres pg = services.pg;
            TestMosquitto broker = services.broker;
            publish(broker, WARM_UP, "bench-warm-up"); // the publisher's code compiled before either run
            brokerRate = brokerCeiling(broker, n);
            try (Ingest ingest = new Ingest(Settings.load(services.env(), null)).start()) {
                // the service's code compiled too: a running service is warm, a fresh JVM is not
                publish(broker, WARM_UP, "bench-warm-up");
                awaitPersisted(ingest, WARM_UP);
                truncate(pg);
                long start = System.nanoTime();
                publish(broker, n, "bench");
                awaitPersisted(ingest, WARM_UP + n);
                ingestRate = n / ((System.nanoTime() - start) / 1e9);
                double[] lag = lag(pg);
                lagP50 = lag[0];
                lagP99 = lag[1];
            }
            copyRate = copyCeiling(pg, n);
        }
        double ceiling = Math.min(brokerRate, copyRate);
        System.err.printf(Locale.ROOT, "ingest %.0f msg/s (lag p50 %.0f ms, p99 %.0f ms); broker %.0f msg/s; COPY %.0f"
                + " rows/s; ratio %.2f%n", ingestRate, lagP50, lagP99, brokerRate, copyRate, ingestRate / ceiling);
        StringBuilder sb = new StringBuilder("## owntracks2db (`bench/run owntracks`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, everything on this machine:")
                .append(" Mosquitto 2.0 and PostgreSQL 15 (Debian), ").append(n).append(" location messages at QoS 1")
                .append(" from ").append(USERS).append(" users with ").append(DEVICES).append(" devices each,")
                .append(" published as fast as the broker takes them (a minimal MQTT publisher written for the benchmark, 1000 in flight; the broker allows ")
                .append(TestMosquitto.MAX_INFLIGHT).append(" in flight to a subscriber); owntracks2db in-process")
                .append(" with batches of 500 or 200 ms. Both runs after a warm-up of ").append(WARM_UP)
                .append(" messages (a running service has compiled its code; a fresh JVM has not).\n\n")
                .append("| path | rate |\n|---|---:|\n");
        sb.append(String.format(Locale.ROOT, "| owntracks2db: first publish to last commit | %.0f msg/s |%n", ingestRate));
        sb.append(String.format(Locale.ROOT, "| ceiling: the broker to `mosquitto_sub -q 1` | %.0f msg/s |%n",
                brokerRate));
        sb.append(String.format(Locale.ROOT, "| ceiling: the same rows by COPY into PostgreSQL | %.0f rows/s |%n",
                copyRate));
        sb.append(String.format(Locale.ROOT, "%nRatio to the lower ceiling: %.2f (target 0.8). End-to-end lag, publish"
                + " to the row's write time: p50 %.0f ms, p99 %.0f ms (when ingest falls behind the publisher, lag"
                + " grows through the run).%n%nThe ceiling run has the publisher, Mosquitto and mosquitto_sub on the"
                + " two cores; the ingest run has PostgreSQL and the service's JVM there as well, and the two cores are"
                + " busy throughout it. The database path is not the limit: COPY takes the same rows several times"
                + " faster than the broker delivers them.%n", ingestRate / ceiling, lagP50, lagP99));
        System.out.print(sb);
        BenchReport.replaceSection(output, "owntracks", sb.toString());
    }

    static String payload(int i) {
        return "{\"_type\":\"location\",\"lat\":52." + (i % 1000) + ",\"lon\":4." + (i % 997) + ",\"tst\":"
                + (1700000000 + i / (USERS * DEVICES)) + ",\"acc\":10,\"batt\":80,\"p\":101.3,\"vel\":5,\"bench_ms\":"
                + System.currentTimeMillis() + "}";
    }

    static String topic(int i) {
        return "owntracks/user" + (i % USERS) + "/device" + (i / USERS % DEVICES);
    }

    /** Publishes as fast as the broker acknowledges, at most {@code IN_FLIGHT} unacknowledged. */
    private static void publish(TestMosquitto broker, int n, String clientId) throws Exception {
        try (RawMqttPublisher p = new RawMqttPublisher("127.0.0.1", broker.port, clientId, TestMosquitto.USER,
                broker.password, IN_FLIGHT)) {
            for (int i = 0; i < n; i++) {
                p.publish(topic(i), payload(i).getBytes(StandardCharsets.UTF_8));
            }
            p.drain();
        }
    }

    /** Messages/s the broker delivers to a plain QoS 1 subscriber, for the same messages. */
    private static double brokerCeiling(TestMosquitto broker, int n) throws Exception {
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port), "-u",
                TestMosquitto.USER, "-P", broker.password, "-q", "1", "-t", "owntracks/#", "-C", String.valueOf(n))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        Thread.sleep(500); // mosquitto_sub has no "subscribed" signal; it needs to be there before the first publish
        long start = System.nanoTime();
        publish(broker, n, "bench-ceiling");
        if (!sub.waitFor(10, TimeUnit.MINUTES)) {
            sub.destroyForcibly();
            throw new IllegalStateException("mosquitto_sub did not receive " + n + " messages");
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    /** Rows/s PostgreSQL takes by COPY into a table like locationupdates. */
    private static double copyCeiling(TestPostgres pg, int n) throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String[] t = topic(i).split("/");
            csv.append(t[1]).append('\t').append(t[2]).append('\t')
                    .append(java.sql.Timestamp.from(java.time.Instant.ofEpochSecond(1700000000L + i / (USERS * DEVICES))))
                    .append("\t52.1\t4.1\t10\t80\t101.3\t5\t").append(payload(i).replace("\\", "\\\\")).append('\n');
        }
        try (Connection c = DriverManager.getConnection(pg.url(), "postgres", pg.password);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE copy_ceiling (LIKE locationupdates INCLUDING ALL)");
            long start = System.nanoTime();
            long rows = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY copy_ceiling (userid, device, tst, lat,"
                    + " lon, acc, batt, p, vel, rawdata) FROM STDIN", new StringReader(csv.toString()));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (rows != n) {
                throw new IllegalStateException("COPY took " + rows + " rows of " + n);
            }
            return n / seconds;
        }
    }

    private static void truncate(TestPostgres pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.url(), "postgres", pg.password);
             Statement s = c.createStatement()) {
            s.execute("TRUNCATE locationupdates");
        }
    }

    /**
     * Waits until the service has committed {@code n} rows in all, by its own counter: counting the table every
     * few milliseconds would itself load PostgreSQL during the measurement.
     */
    private static void awaitPersisted(Ingest ingest, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (persisted(ingest) < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + persisted(ingest) + " of " + n + " rows after 10 minutes");
            }
            Thread.sleep(5);
        }
    }

    private static long persisted(Ingest ingest) {
        java.util.regex.Matcher m = PERSISTED.matcher(ingest.metricsText());
        if (!m.find()) {
            throw new IllegalStateException("the service's metrics have no total_persisted_updates");
        }
        return Long.parseLong(m.group(1));
    }

    /** p50 and p99 of (row written - published), in ms. */
    private static double[] lag(TestPostgres pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.url(), "postgres", pg.password);
             Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT"
                     + " percentile_cont(0.5) WITHIN GROUP (ORDER BY l), percentile_cont(0.99) WITHIN GROUP (ORDER BY l)"
                     + " FROM (SELECT extract(epoch FROM received_at) * 1000 - (rawdata->>'bench_ms')::bigint AS l"
                     + " FROM locationupdates) x")) {
            r.next();
            return new double[] {r.getDouble(1), r.getDouble(2)};
        }
    }
}
