package birdbath.bench;

import birdbath.BirdbathException;
import birdbath.stage.etcd.EtcdOperations;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * etcd on 3 local nodes: time from `up --only etcd` (nodes through ipsec) until every member is healthy, then
 * put and get latency through birdbath's client (mutual TLS, over the SSH-forwarded port to member 1).
 * Needs root. Usage: EtcdBench [OUTPUT.md]
 */
public final class EtcdBench {

    private static final List<String> BEFORE = List.of("provision", "machine-id", "baseline", "pki", "ipsec");
    private static final int WARMUP = 100;
    private static final int REQUESTS = 1000;

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        double cold;
        double noop;
        double[] put;
        double[] get;
        double[] serializable;
        try (BenchCluster cluster = new BenchCluster("etcdbench", 3)) {
            cluster.up(BEFORE);
            cold = cluster.up(List.of("etcd"));
            if (!cluster.birdbath().etcdStatus().stream().allMatch(EtcdOperations.MemberStatus::healthy)) {
                throw new BirdbathException("etcd is not healthy after up --only etcd");
            }
            noop = cluster.up(List.of("etcd"));
            double[][] lat = cluster.birdbath().withEtcd(e -> {
                URI ep = e.endpoint(e.members().get(0));
                for (int i = 0; i < WARMUP; i++) {
                    e.client().put(ep, "/bench/warm", "x");
                    e.client().get(ep, "/bench/warm", false);
                }
                double[] p = new double[REQUESTS];
                double[] g = new double[REQUESTS];
                double[] s = new double[REQUESTS];
                for (int i = 0; i < REQUESTS; i++) {
                    String key = "/bench/k" + (i % 100);
                    long t0 = System.nanoTime();
                    e.client().put(ep, key, "value-" + i);
                    long t1 = System.nanoTime();
                    e.client().get(ep, key, false);
                    long t2 = System.nanoTime();
                    e.client().get(ep, key, true);
                    long t3 = System.nanoTime();
                    p[i] = (t1 - t0) / 1e6;
                    g[i] = (t2 - t1) / 1e6;
                    s[i] = (t3 - t2) / 1e6;
                }
                return new double[][] {p, g, s};
            });
            put = lat[0];
            get = lat[1];
            serializable = lat[2];
        }
        StringBuilder sb = new StringBuilder("## etcd (`bench/run etcd`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores: 3 local nodes, etcd ")
                .append("3.4 (Debian), peers over the userspace IPsec mesh. `up --only etcd` returns once every member")
                .append(" answers /health over mutual TLS.\n\n");
        sb.append(String.format(Locale.ROOT, "| run | wall time |%n|---|---:|%n| up --only etcd, first (install"
                + " nothing, configure, bootstrap, healthy) | %.1f s |%n| up --only etcd, no-op | %.1f s |%n%n", cold,
                noop));
        sb.append(String.format(Locale.ROOT, "Latency of %d requests each (after %d warm-up), birdbath's client with"
                + " its etcd-admin certificate, one connection, through the SSH-forwarded port to member 1 (the"
                + " tunnel adds its own hop; without TCP_NODELAY on birdbath's SSH sockets every request waited for"
                + " a delayed ACK and p50 was 45 ms):%n%n| request | p50 | p99 |%n|---|---:|---:|%n", REQUESTS, WARMUP));
        for (Object[] row : List.of(new Object[] {"put", put}, new Object[] {"get (linearizable)", get},
                new Object[] {"get (serializable)", serializable})) {
            double[] v = (double[]) row[1];
            sb.append(String.format(Locale.ROOT, "| %s | %.2f ms | %.2f ms |%n", row[0], pct(v, 50), pct(v, 99)));
        }
        System.out.print(sb);
        BenchReport.replaceSection(output, "etcd", sb.toString());
    }

    private static double pct(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
