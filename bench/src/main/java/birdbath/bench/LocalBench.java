package birdbath.bench;

import birdbath.bench.BenchReport.TimedRun;

import birdbath.Birdbath;
import birdbath.Reporter;
import birdbath.host.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The local provider, the whole pipeline: a cold `birdbath up` (base image cached, no nodes yet), then two no-op
 * re-runs through the launcher `./birdbath` (as a user runs it, with its JVM options and class-data archive),
 * and one no-op re-run as plain `java -jar` beside them; wall time from the command's start to its exit and each
 * stage's own time from its output. Needs root. Usage: LocalBench [OUTPUT.md] [NODES...]
 */
public final class LocalBench {

    static final Path JAR = Path.of("cli/target/birdbath.jar");
    static final List<String> LAUNCHER = List.of("./birdbath");
    static final List<String> PLAIN_JAVA = List.of("java", "-jar", JAR.toString());

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        List<Integer> sizes = BenchReport.sizes(args, List.of(3));
        List<TimedRun> rows = new ArrayList<>();
        for (int n : sizes) {
            Path dir = Files.createTempDirectory("birdbath-bench-local");
            Path config = dir.resolve("birdbath.yaml");
            Files.writeString(config, "provider: local\ncluster:\n  name: bench" + n + "\n  nodes: " + n + "\n");
            try {
                rows.add(timed(LAUNCHER, config, n, "up, cold (image cached)"));
                rows.add(timed(LAUNCHER, config, n, "up, no-op re-run"));
                rows.add(timed(LAUNCHER, config, n, "up, no-op re-run (again)"));
                rows.add(timed(PLAIN_JAVA, config, n, "up, no-op, plain `java -jar`"));
            } finally {
                new Birdbath(config, System.getenv(), Reporter.silent()).down();
                BenchReport.removeDir(dir);
            }
        }
        StringBuilder sb = new StringBuilder("## Local provider (`bench/run local`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores: systemd-nspawn nodes booted from")
                .append(" the cached Debian 12 image, every stage of `up` (kubernetes and apps say they do nothing on")
                .append(" this provider). Wall time is `./birdbath up` (the launcher) from its start to its exit, JVM")
                .append(" start included; the build just before makes the cold run the one that writes the launcher's")
                .append(" class-data archive. The last row is the same no-op without the launcher's JVM options and")
                .append(" archive. Target: a no-op `up` of 3 nodes under 3 s.\n\n");
        sb.append(BenchReport.stageTable("nodes", Birdbath.STAGES, rows));
        System.out.print(sb);
        BenchReport.replaceSection(output, "local", sb.toString());
    }

    private static TimedRun timed(List<String> birdbath, Path config, int nodes, String what) {
        Map<String, Double> stages = new LinkedHashMap<>();
        Reporter collect = BenchReport.stageTimes(stages);
        long start = System.nanoTime();
        List<String> command = new ArrayList<>(birdbath);
        command.addAll(List.of("up", "-c", config.toString()));
        Host.Result r = Host.run(Duration.ofMinutes(15), command.toArray(String[]::new));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!r.ok()) {
            throw new IllegalStateException("birdbath up failed (exit " + r.exit() + "): " + r.err());
        }
        r.out().lines().forEach(collect::info);
        System.err.printf(Locale.ROOT, "%3d nodes  %-28s %6.1f s  %s%n", nodes, what, seconds, stages);
        return new TimedRun(String.valueOf(nodes), what, seconds, stages);
    }
}
