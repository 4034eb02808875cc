package birdbath.bench;

import birdbath.bench.BenchReport.TimedRun;

import birdbath.Birdbath;
import birdbath.Reporter;
import birdbath.linode.ApiSettings;
import birdbath.node.BaseImage;
import birdbath.node.NodeNetwork;
import birdbath.sim.LinodeSim;
import birdbath.sim.SimOptions;
import birdbath.twin.RealNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The Linode twin next to the local provider, in one run: 3 nodes, a cold `up` through storage (images and the
 * twin's package mirror cached), a no-op `up`, and `down`; wall time and time per stage. Both use the
 * distribution's etcd and the userspace IPsec data plane, so the difference is the Linode path itself (API
 * calls, packages installed on fresh nodes, the firewall). Needs root. Usage: TwinBench [OUTPUT.md]
 */
public final class TwinBench {

    static final List<String> STAGES = List.of("provision", "machine-id", "baseline", "pki", "ipsec", "etcd",
            "storage");


    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        List<TimedRun> rows = new ArrayList<>();
        Path local = Files.createTempDirectory("birdbath-bench-twin-local");
        Path localConfig = local.resolve("birdbath.yaml");
        Files.writeString(localConfig, "provider: local\ncluster:\n  name: benchl\n  nodes: 3\n");
        try {
            rows.addAll(runs("local", out -> new Birdbath(localConfig, System.getenv(), out)));
        } finally {
            BenchReport.removeDir(local);
        }
        Path cache = BaseImage.defaultCacheDir(System.getenv()).getParent();
        try (RealNodes twin = new RealNodes(cache, Reporter.into(System.err::println));
             LinodeSim sim = LinodeSim.start(SimOptions.defaults().withDomains(List.of("example.com")), twin)) {
            Path dir = Files.createTempDirectory("birdbath-bench-twin");
            Path config = dir.resolve("birdbath.yaml");
            String vpc = NodeNetwork.freeSlash24(9, List.of(twin.publicPools().get(0),
                    twin.privateRange().replace("0/24", ""))) + "0/24";
            Files.writeString(config, "provider: linode\ncluster:\n  name: bencht\n  nodes: 3\n  domain: example.com\n"
                    + "networking:\n  vpc_subnet: " + vpc + "\nipsec:\n  dataplane: userspace\netcd:\n  version: distro\n");
            Map<String, String> env = Map.of("LINODE_TOKEN", "bench", "LINODE_API_URL", sim.baseUrl());
            try {
                rows.addAll(runs("linode twin", out -> new Birdbath(config, env, out,
                        ApiSettings.defaults().withPollInterval(Duration.ofMillis(200)))));
            } finally {
                BenchReport.removeDir(dir);
            }
        }
        StringBuilder sb = new StringBuilder("## The Linode twin next to the local provider (`bench/run twin`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, one run: 3 nodes, stages ")
                .append(String.join(", ", STAGES)).append("; images and the twin's package mirror cached; both with")
                .append(" the distribution's etcd and the userspace IPsec data plane. The twin's nodes start from a")
                .append(" fresh Debian image and install every package from the mirror on the bridge; the local")
                .append(" provider's image has them already. `down` on the twin is the API's part: like Linode, the twin")
                .append(" removes the machines after it has answered.\n\n");
        sb.append(BenchReport.stageTable("provider", STAGES, rows));
        Map<String, TimedRun> byKey = new LinkedHashMap<>();
        rows.forEach(r -> byKey.put(r.who() + "/" + r.what(), r));
        sb.append('\n');
        for (String what : List.of("up, cold", "up, no-op", "down")) {
            TimedRun l = byKey.get("local/" + what);
            TimedRun t = byKey.get("linode twin/" + what);
            sb.append(String.format(Locale.ROOT, "- %s: twin %.1f s, local %.1f s, ratio %.2f%n", what, t.seconds(),
                    l.seconds(), t.seconds() / l.seconds()));
        }
        System.out.print(sb);
        BenchReport.replaceSection(output, "twin", sb.toString());
    }

    private static List<TimedRun> runs(String provider, Function<Reporter, Birdbath> birdbath) {
        List<TimedRun> rows = new ArrayList<>();
        rows.add(timed(provider, "up, cold", birdbath));
        rows.add(timed(provider, "up, no-op", birdbath));
        long start = System.nanoTime();
        birdbath.apply(Reporter.silent()).down();
        rows.add(new TimedRun(provider, "down", (System.nanoTime() - start) / 1e9, Map.of()));
        return rows;
    }

    private static TimedRun timed(String provider, String what, Function<Reporter, Birdbath> birdbath) {
        Map<String, Double> stages = new LinkedHashMap<>();
        Reporter collect = BenchReport.stageTimes(stages);
        Birdbath b = birdbath.apply(collect);
        long start = System.nanoTime();
        b.up(STAGES, null, false);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf(Locale.ROOT, "%-12s %-10s %6.1f s  %s%n", provider, what, seconds, stages);
        return new TimedRun(provider, what, seconds, stages);
    }
}
