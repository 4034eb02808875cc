package birdbath.bench;

import birdbath.Birdbath;
import birdbath.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The local provider: a cold `up` (base image cached, no nodes yet) through baseline, then a no-op re-run,
 * for 3 and 10 nodes; wall time and time per stage. Needs root. Usage: LocalBench [OUTPUT.md] [NODES...]
 */
public final class LocalBench {


    record Row(int nodes, String what, double seconds, Map<String, Double> stages) { }

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        List<Integer> sizes = BenchReport.sizes(args, List.of(3, 10));
        List<Row> rows = new ArrayList<>();
        for (int n : sizes) {
            Path dir = Files.createTempDirectory("birdbath-bench-local");
            Path config = dir.resolve("birdbath.yaml");
            Files.writeString(config, "provider: local\ncluster:\n  name: bench" + n + "\n  nodes: " + n + "\n");
            try {
                rows.add(timed(config, n, "up, cold (image cached)"));
                rows.add(timed(config, n, "up, no-op re-run"));
                rows.add(timed(config, n, "up, no-op re-run (again)"));
            } finally {
                new Birdbath(config, System.getenv(), Reporter.silent()).down();
                BenchReport.removeDir(dir);
            }
        }
        StringBuilder sb = new StringBuilder("## Local provider (`bench/run local`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores: systemd-nspawn nodes booted from")
                .append(" the cached Debian 12 image, stages provision, machine-id, baseline. Targets: a no-op re-run")
                .append(" of 3 nodes under 5 s, of 10 nodes under 10 s.\n\n");
        sb.append("| nodes | run | wall time | provision | machine-id | baseline |\n|---:|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %d | %s | %.1f s | %.1f s | %.1f s | %.1f s |%n", r.nodes(),
                    r.what(), r.seconds(), r.stages().getOrDefault("provision", 0.0),
                    r.stages().getOrDefault("machine-id", 0.0), r.stages().getOrDefault("baseline", 0.0)));
        }
        System.out.print(sb);
        BenchReport.replaceSection(output, "local", sb.toString());
    }

    private static Row timed(Path config, int nodes, String what) {
        Map<String, Double> stages = new LinkedHashMap<>();
        Reporter collect = BenchReport.stageTimes(stages);
        long start = System.nanoTime();
        new Birdbath(config, System.getenv(), collect).up(List.of(), null, false);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf(Locale.ROOT, "%3d nodes  %-28s %6.1f s  %s%n", nodes, what, seconds, stages);
        return new Row(nodes, what, seconds, stages);
    }
}
