package birdbath.bench;

import birdbath.BirdbathException;
import birdbath.host.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `GET /` of haircolor (its jar, as deployed) against nginx serving the very same page as a static file, both on
 * loopback, measured with wrk in the same run: first a fresh process, measured the moment its /healthz answers
 * (what users get after every start: nothing compiled yet), then the same process warmed up; nginx right after
 * each. Needs wrk and nginx (Debian packages) and a built apps/haircolor/target/haircolor.jar.
 * Usage: HaircolorBench [OUTPUT.md]
 */
public final class HaircolorBench {

    private static final String WRK_THREADS = "2";
    private static final String WRK_CONNECTIONS = "32";
    private static final String WRK_SECONDS = "5s";
    private static final int WARM_UP_RUNS = 3;
    private static final int ROUNDS = 3;
    /** How long a server just started may take to answer. */
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");

    record Result(double rps, double p99ms) { }

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        for (String tool : List.of("wrk", "nginx")) {
            if (Host.run(Duration.ofSeconds(5), "sh", "-c", "command -v " + tool + " || test -x /usr/sbin/" + tool)
                    .exit() != 0) {
                throw new BirdbathException(tool + " is not installed (apt-get install wrk nginx-light)");
            }
        }
        Path jar = Path.of("apps/haircolor/target/haircolor.jar");
        if (!Files.exists(jar)) {
            throw new BirdbathException(jar + " is missing: mvn -pl apps/haircolor package");
        }
        Path dir = Files.createTempDirectory("birdbath-bench-haircolor");
        // nginx's workers run as an unprivileged user: they must be able to read the page
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        int appPort = BenchHttp.freePort();
        int nginxPort = BenchHttp.freePort();
        Path www = Files.createDirectories(dir.resolve("www"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                worker_processes auto;
                pid %s/nginx.pid;
                error_log %s/error.log;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  default_type text/html;
                  client_body_temp_path %s;
                  server { listen 127.0.0.1:%d; root %s; etag on; add_header Cache-Control no-cache; }
                }
                """.formatted(dir, dir, dir.resolve("tmp"), nginxPort, www));
        Process nginx = null;
        java.util.List<Result[]> rounds = new java.util.ArrayList<>(); // fresh, nginx, warm, nginx again
        java.util.List<CpuTime.Jvm> freshCpu = new java.util.ArrayList<>(); // haircolor's during the fresh run
        try {
            for (int r = 1; r <= ROUNDS; r++) {
                ProcessBuilder pb = new ProcessBuilder("java", CpuTime.KEEP_COMPILER_THREADS, "-jar",
                        jar.toAbsolutePath().toString());
                pb.environment().put("HAIRCOLOR_PORT", String.valueOf(appPort));
                pb.environment().put("HAIRCOLOR_DATA_DIR", dir.resolve("data").toString());
                Process app = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                try {
                    // fresh: the first request is /healthz (as Kubernetes' probe), the load starts once it answers
                    BenchHttp.await("http://127.0.0.1:" + appPort + "/healthz", AWAIT, app);
                    CpuTime.Jvm before = CpuTime.Jvm.of(app.pid());
                    Result fresh = wrk(appPort);
                    freshCpu.add(CpuTime.Jvm.of(app.pid()).minus(before));
                    if (nginx == null) {
                        Files.writeString(www.resolve("index.html"),
                                BenchHttp.await("http://127.0.0.1:" + appPort + "/", AWAIT, app));
                        nginx = new ProcessBuilder("nginx", "-c", conf.toString(), "-p", dir.toString())
                                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                        BenchHttp.await("http://127.0.0.1:" + nginxPort + "/", AWAIT, nginx);
                    }
                    Result nginxFresh = wrk(nginxPort);
                    for (int i = 0; i < WARM_UP_RUNS; i++) {
                        wrk(appPort);
                    }
                    Result warm = wrk(appPort);
                    Result nginxWarm = wrk(nginxPort);
                    rounds.add(new Result[] {fresh, nginxFresh, warm, nginxWarm});
                    System.err.printf(Locale.ROOT, "round %d: haircolor fresh %.0f req/s, warm %.0f req/s; nginx %.0f,"
                            + " %.0f req/s%n", r, fresh.rps(), warm.rps(), nginxFresh.rps(), nginxWarm.rps());
                } finally {
                    app.destroy();
                    app.waitFor(10, TimeUnit.SECONDS);
                }
            }
            StringBuilder sb = new StringBuilder("## haircolor (`bench/run haircolor`)\n\n");
            sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                    .append(Runtime.getRuntime().availableProcessors()).append(" cores, loopback, `wrk -t")
                    .append(WRK_THREADS).append(" -c").append(WRK_CONNECTIONS).append(" -d").append(WRK_SECONDS)
                    .append(" --latency` on `/`, ").append(ROUNDS).append(" rounds in one run, each: haircolor as a")
                    .append(" fresh `java -jar haircolor.jar` the moment its `/healthz` answers, nginx serving the same")
                    .append(" page (saved from haircolor's `GET /`) as a static file, then haircolor after ")
                    .append(WARM_UP_RUNS).append(" more such runs, and nginx again. Target: at least half of nginx's")
                    .append(" throughput. Requests/s (p99 latency).\n\n| round | haircolor, fresh process | nginx |")
                    .append(" ratio | haircolor, warmed up | nginx | ratio |\n|---|---:|---:|---:|---:|---:|---:|\n");
            for (int i = 0; i < rounds.size(); i++) {
                Result[] r = rounds.get(i);
                sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %.2f | %s | %s | %.2f |%n", i + 1, cell(r[0]),
                        cell(r[1]), r[0].rps() / r[1].rps(), cell(r[2]), cell(r[3]), r[2].rps() / r[3].rps()));
            }
            double[] fresh = rounds.stream().mapToDouble(r -> r[0].rps() / r[1].rps()).sorted().toArray();
            double[] warm = rounds.stream().mapToDouble(r -> r[2].rps() / r[3].rps()).sorted().toArray();
            sb.append(String.format(Locale.ROOT, "%nMedian ratio haircolor / nginx: fresh %.2f, warmed up %.2f.%n",
                    fresh[fresh.length / 2], warm[warm.length / 2]));
            sb.append(String.format(Locale.ROOT, "%nWhere a fresh run's time goes: of the %d cores' %.0f CPU seconds"
                    + " in a run, haircolor took", Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors() * Double.parseDouble(WRK_SECONDS.replace("s", ""))));
            for (int i = 0; i < freshCpu.size(); i++) {
                sb.append(String.format(Locale.ROOT, "%s %.1f s (its JIT compilers %.1f s)", i == 0 ? "" : ",",
                        freshCpu.get(i).total(), freshCpu.get(i).jit()));
            }
            sb.append(" in rounds ").append(freshCpu.isEmpty() ? "" : "1-" + freshCpu.size())
                    .append("; wrk and the kernel the rest.\n");
            System.out.print(sb);
            BenchReport.replaceSection(output, "haircolor", sb.toString());
        } finally {
            if (nginx != null) {
                nginx.destroy();
                nginx.waitFor(10, TimeUnit.SECONDS);
            }
            BenchReport.removeDir(dir);
        }
    }

    private static String cell(Result r) {
        return String.format(Locale.ROOT, "%.0f (%.1f ms)", r.rps(), r.p99ms());
    }


    private static Result wrk(int port) {
        String out = Host.check(Duration.ofMinutes(2), "wrk", "-t" + WRK_THREADS, "-c" + WRK_CONNECTIONS,
                "-d" + WRK_SECONDS, "--latency", "http://127.0.0.1:" + port + "/");
        Matcher rps = RPS.matcher(out);
        Matcher p99 = P99.matcher(out);
        if (!rps.find() || !p99.find()) {
            throw new BirdbathException("cannot read wrk's output: " + Host.tail(out));
        }
        double v = Double.parseDouble(p99.group(1));
        double ms = switch (p99.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
        return new Result(Double.parseDouble(rps.group(1)), ms);
    }
}
