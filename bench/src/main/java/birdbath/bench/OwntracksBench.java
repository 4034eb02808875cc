package birdbath.bench;

import birdbath.BirdbathException;
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
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;

/**
 * owntracks2db's ingest rate against its two ceilings, in one run on this machine, over TLS to the broker as the
 * cluster runs it: N location messages (QoS 1, several users and devices) published as fast as the broker takes
 * them; ingest = first publish to last commit. In each of a few rounds, measured twice: a fresh `java -jar
 * owntracks2db.jar` the moment its /readyz answers (what runs after every start), with the CPU each process took
 * and the service's JIT compilers' share, and the service in this JVM after a warm-up; lag = publish to the row's write time
 * (p50/p99) of the last warm run. Ceilings: the broker delivering the same messages through the
 * same TLS listener to a plain `mosquitto_sub -q 1`, and PostgreSQL taking the same rows by COPY. Needs root,
 * mosquitto and postgresql, and a built apps/owntracks2db/target/owntracks2db.jar. Usage: OwntracksBench
 * [OUTPUT.md] [N]
 */
public final class OwntracksBench {

    private static final int USERS = 10;
    private static final int DEVICES = 2;
    private static final int IN_FLIGHT = 1000;
    private static final int WARM_UP = 200_000;
    private static final Path JAR = Path.of("apps/owntracks2db/target/owntracks2db.jar");
    private static final java.util.regex.Pattern PERSISTED =
            java.util.regex.Pattern.compile("(?m)^total_persisted_updates (\\d+)$");

    private static final int ROUNDS = 3;

    /** One round: the ceiling, then the fresh process and the warm service, each the same N messages. */
    record Round(double broker, double fresh, double warm, FreshRun freshRun) { }

    /** The fresh process's run: seconds, CPU seconds by process, and the service's own: in all and JIT. */
    record FreshRun(double seconds, String cpu, CpuTime.Jvm service) { }

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        if (!java.nio.file.Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: mvn -pl apps/owntracks2db package");
        }
        java.util.List<Round> rounds = new java.util.ArrayList<>();
        double lagP50;
        double lagP99;
        double copyRate;
        try (IngestServices services = new IngestServices()) {
            TestPostgres pg = services.pg;
            TestMosquitto broker = services.broker;
            Map<String, String> env = tls(services);
            publish(broker, WARM_UP, "bench-warm-up"); // the publisher's code compiled before any run
            double[] lag = null;
            for (int r = 1; r <= ROUNDS; r++) {
                double brokerRate = brokerCeiling(broker, n);
                truncate(pg);
                FreshRun fresh = freshProcess(services, env, n);
                truncate(pg);
                double warmRate;
                try (Ingest ingest = new Ingest(Settings.load(env, null)).start()) {
                    // compiled in this JVM: a running service is warm, a fresh JVM is not
                    publish(broker, WARM_UP, "bench-warm-up");
                    awaitPersisted(() -> persisted(ingest.metricsText()), WARM_UP);
                    truncate(pg);
                    long start = System.nanoTime();
                    publish(broker, n, "bench");
                    awaitPersisted(() -> persisted(ingest.metricsText()), WARM_UP + n);
                    warmRate = n / ((System.nanoTime() - start) / 1e9);
                    lag = lag(pg);
                }
                Round round = new Round(brokerRate, n / fresh.seconds(), warmRate, fresh);
                rounds.add(round);
                System.err.printf(Locale.ROOT, "round %d: broker %.0f msg/s, fresh %.0f (%.2f), warm %.0f (%.2f); fresh"
                        + " CPU: %s; of owntracks2db's, JIT %.1f s%n", r, brokerRate, round.fresh(),
                        round.fresh() / brokerRate, warmRate, warmRate / brokerRate, fresh.cpu(), fresh.service().jit());
            }
            lagP50 = lag[0];
            lagP99 = lag[1];
            copyRate = copyCeiling(pg, n);
        }
        StringBuilder sb = new StringBuilder("## owntracks2db (`bench/run owntracks`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, everything on this machine:")
                .append(" Mosquitto 2.0 and PostgreSQL 15 (Debian), ").append(n).append(" location messages at QoS 1")
                .append(" from ").append(USERS).append(" users with ").append(DEVICES).append(" devices each,")
                .append(" published as fast as the broker takes them (a minimal MQTT publisher written for the")
                .append(" benchmark, ").append(IN_FLIGHT).append(" in flight; the broker allows ")
                .append(TestMosquitto.MAX_INFLIGHT).append(" in flight to a subscriber). The subscribers, the")
                .append(" ceiling's and owntracks2db, connect to the broker's TLS listener (the broker's name checked")
                .append(" against the CA), as in the cluster; batches of 500 or 200 ms. Each round: the ceiling, then")
                .append(" a fresh `java -jar owntracks2db.jar` started for the round, messages published the moment")
                .append(" its `/readyz` answers; then the service in the driver's JVM after ").append(WARM_UP)
                .append(" messages (warm). ").append(ROUNDS).append(" rounds in one run, rates in messages/s, each")
                .append(" ratio to the same round's ceiling.\n\n")
                .append("| round | ceiling: broker to `mosquitto_sub -q 1` over TLS | owntracks2db, fresh process |")
                .append(" ratio | owntracks2db, warmed up | ratio |\n|---|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            sb.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.2f | %.0f | %.2f |%n", i + 1, r.broker(),
                    r.fresh(), r.fresh() / r.broker(), r.warm(), r.warm() / r.broker()));
        }
        double[] freshRatios = rounds.stream().mapToDouble(r -> r.fresh() / r.broker()).sorted().toArray();
        double[] warmRatios = rounds.stream().mapToDouble(r -> r.warm() / r.broker()).sorted().toArray();
        sb.append(String.format(Locale.ROOT, "%nMedian ratio: fresh %.2f, warmed up %.2f (target 0.8). COPY into"
                + " PostgreSQL takes the same rows at %.0f rows/s, so the database path is not the limit. End-to-end"
                + " lag of the last warm run, publish to the row's write time: p50 %.0f ms, p99 %.0f ms (when ingest"
                + " falls behind the publisher, lag grows through the run).%n%nWhere the fresh runs' time goes (CPU"
                + " seconds by process during each run, from /proc; of owntracks2db's, its JIT compiler threads'):%n%n", freshRatios[freshRatios.length / 2],
                warmRatios[warmRatios.length / 2], copyRate, lagP50, lagP99));
        for (int i = 0; i < rounds.size(); i++) {
            FreshRun f = rounds.get(i).freshRun();
            sb.append(String.format(Locale.ROOT, "- round %d: %.1f s; CPU: %s; of owntracks2db's %.1f s, the"
                    + " JIT compilers %.1f s%n", i + 1, f.seconds(), f.cpu(), f.service().total(), f.service().jit()));
        }
        System.out.print(sb);
        BenchReport.replaceSection(output, "owntracks", sb.toString());
    }

    /** The service's environment with the broker's TLS listener, by the name its certificate has. */
    private static Map<String, String> tls(IngestServices services) {
        Map<String, String> env = services.env();
        env.put("OWNTRACKS2DB_MQTT_HOST", "localhost");
        env.put("OWNTRACKS2DB_MQTT_PORT", String.valueOf(services.broker.tlsPort));
        env.put("OWNTRACKS2DB_MQTT_SSL", "true");
        env.put("OWNTRACKS2DB_MQTT_CA", services.broker.caFile().toString());
        return env;
    }

    /** A fresh `java -jar`: the time from the first publish after its /readyz answers to the last commit. */
    private static FreshRun freshProcess(IngestServices services, Map<String, String> env, int n) throws Exception {
        int metricsPort = BenchHttp.freePort();
        Path log = java.nio.file.Files.createTempFile("owntracks2db-fresh", ".log");
        ProcessBuilder pb = new ProcessBuilder("java", CpuTime.KEEP_COMPILER_THREADS, "-jar",
                JAR.toAbsolutePath().toString());
        pb.environment().putAll(env);
        pb.environment().put("OWNTRACKS2DB_METRICS_PORT", String.valueOf(metricsPort));
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            double seconds;
            String cpu;
            CpuTime.Jvm service;
            try {
                String base = "http://127.0.0.1:" + metricsPort;
                try {
                    BenchHttp.await(base + "/readyz", Duration.ofSeconds(60), p);
                } catch (BirdbathException e) {
                    throw new IllegalStateException("the fresh owntracks2db did not get ready: " + e.getMessage()
                            + "\n" + java.nio.file.Files.readString(log), e);
                }
                long self = ProcessHandle.current().pid();
                java.util.function.LongFunction<String> names = pid -> pid == p.pid() ? "owntracks2db"
                        : pid == self ? "publisher (the driver's JVM)" : null;
                Map<String, Double> before = CpuTime.now(names);
                CpuTime.Jvm serviceBefore = CpuTime.Jvm.of(p.pid());
                long start = System.nanoTime();
                publish(services.broker, n, "bench-fresh");
                awaitPersisted(() -> persisted(BenchHttp.get(base + "/metrics")), n);
                seconds = (System.nanoTime() - start) / 1e9;
                service = CpuTime.Jvm.of(p.pid()).minus(serviceBefore);
                cpu = CpuTime.used(before, CpuTime.now(names));
            } finally {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            return new FreshRun(seconds, cpu, service);
        } finally {
            java.nio.file.Files.deleteIfExists(log);
        }
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

    /** Messages/s the broker delivers to a plain QoS 1 subscriber on its TLS listener, for the same messages. */
    private static double brokerCeiling(TestMosquitto broker, int n) throws Exception {
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "localhost", "-p", String.valueOf(broker.tlsPort),
                "--cafile", broker.caFile().toString(), "-u", TestMosquitto.USER, "-P", broker.password, "-q", "1",
                "-t", "owntracks/#", "-C", String.valueOf(n))
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
            // before the first service has run its migrations there is no table yet
            s.execute("DO $$ BEGIN IF to_regclass('locationupdates') IS NOT NULL THEN TRUNCATE locationupdates;"
                    + " END IF; END $$");
        }
    }

    /**
     * Waits until the service has committed {@code n} rows in all, by its own counter: counting the table every
     * few milliseconds would itself load PostgreSQL during the measurement.
     */
    private static void awaitPersisted(java.util.function.LongSupplier persisted, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (persisted.getAsLong() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + persisted.getAsLong() + " of " + n
                        + " rows after 10 minutes");
            }
            Thread.sleep(5);
        }
    }

    private static long persisted(String metrics) {
        java.util.regex.Matcher m = PERSISTED.matcher(metrics);
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
