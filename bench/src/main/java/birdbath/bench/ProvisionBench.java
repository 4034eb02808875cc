package birdbath.bench;

import birdbath.Birdbath;
import birdbath.Reporter;
import birdbath.plan.Plan;
import birdbath.sim.LinodeSim;
import birdbath.sim.SimOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * plan and up against linode-sim for 3, 50 and 200 nodes: wall time and API calls, with the client's real
 * settings (pacing of 20 instance creates per 15 s, 2 s status polls) and the simulator's real rate limits.
 * Usage: ProvisionBench [OUTPUT.md] [NODES...]
 */
public final class ProvisionBench {

    record Row(int nodes, String what, double seconds, int calls, int mutating) { }

    /** The provision stage only: there is no machine behind the simulator's addresses. */
    private static final List<String> PROVISION = List.of("provision");

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        List<Integer> sizes = BenchReport.sizes(args, List.of(3, 50, 200));
        List<Row> rows = new ArrayList<>();
        for (int n : sizes) {
            rows.addAll(measure(n));
        }
        String section = render(rows);
        System.out.print(section);
        BenchReport.replaceSection(output, "provision", section);
    }

    private static List<Row> measure(int nodes) throws Exception {
        List<Row> rows = new ArrayList<>();
        Path dir = Files.createTempDirectory("birdbath-bench");
        try (LinodeSim sim = LinodeSim.start(SimOptions.defaults().withLatencyMs(5)
                .withDomains(List.of("example.com")))) {
            Path config = dir.resolve("birdbath.yaml");
            Files.writeString(config, "cluster:\n  name: bench\n  nodes: " + nodes + "\n  domain: example.com\n");
            Map<String, String> env = Map.of("LINODE_API_URL", sim.baseUrl(), "LINODE_TOKEN", "bench-token");
            Birdbath b = new Birdbath(config, env, Reporter.silent());
            rows.add(timed(sim, nodes, "plan (empty account)", () -> b.plan()));
            rows.add(timed(sim, nodes, "up (create everything)", () -> b.up(PROVISION, null, false)));
            rows.add(timed(sim, nodes, "plan (no-op)", () -> {
                Plan p = b.plan();
                if (!p.isEmpty()) {
                    throw new IllegalStateException("plan after up is not empty:\n" + p.render());
                }
            }));
            rows.add(timed(sim, nodes, "up (no-op)", () -> b.up(PROVISION, null, false)));
            rows.add(timed(sim, nodes, "down", b::down));
        } finally {
            BenchReport.removeDir(dir);
        }
        return rows;
    }

    private static Row timed(LinodeSim sim, int nodes, String what, Runnable action) {
        sim.stats().reset();
        long start = System.nanoTime();
        action.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        Row row = new Row(nodes, what, seconds, sim.stats().total(), sim.stats().mutating().size());
        System.err.printf(Locale.ROOT, "%4d nodes  %-24s %8.2f s  %5d calls  %5d mutating%n", nodes, what, seconds,
                row.calls(), row.mutating());
        return row;
    }

    private static String render(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Provisioning against linode-sim (`bench/run provision`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores. The client runs with its real")
                .append(" settings (instance creates paced to 20 per 15 s, status polled every 2 s); the simulator")
                .append(" enforces Linode's rate limits, adds 5 ms per request and takes 2 s from create to running.")
                .append(" Calls include 429 answers. `up`'s wall time is Linode's create limits: instances are paced")
                .append(" to 20 per 16 s (15 s plus a 1 s margin), volumes to 100 per 61 s, so 200 nodes cannot take")
                .append(" less than about 150 s + 61 s.\n\n");
        sb.append("| nodes | operation | wall time | API calls | mutating | calls/node |\n");
        sb.append("|---:|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %d | %s | %.2f s | %d | %d | %.1f |%n", r.nodes(), r.what(),
                    r.seconds(), r.calls(), r.mutating(), (double) r.calls() / r.nodes()));
        }
        return sb.toString();
    }
}
