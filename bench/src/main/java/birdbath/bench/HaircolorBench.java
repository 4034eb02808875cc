package birdbath.bench;

import birdbath.BirdbathException;
import birdbath.host.Host;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
        int appPort = freePort();
        int nginxPort = freePort();
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
        ProcessBuilder pb = new ProcessBuilder("java", "-jar", jar.toAbsolutePath().toString());
        pb.environment().put("HAIRCOLOR_PORT", String.valueOf(appPort));
        pb.environment().put("HAIRCOLOR_DATA_DIR", dir.resolve("data").toString());
        Process app = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Process nginx = null;
        try {
            // fresh: the first request is /healthz (as Kubernetes' probe), the load starts as soon as it answers
            await("http://127.0.0.1:" + appPort + "/healthz");
            Result fresh = wrk(appPort);
            Files.writeString(www.resolve("index.html"), await("http://127.0.0.1:" + appPort + "/"));
            nginx = new ProcessBuilder("nginx", "-c", conf.toString(), "-p", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            await("http://127.0.0.1:" + nginxPort + "/");
            Result nginxFresh = wrk(nginxPort);
            for (int i = 0; i < WARM_UP_RUNS; i++) {
                wrk(appPort);
            }
            Result warm = wrk(appPort);
            Result nginxWarm = wrk(nginxPort);
            System.err.printf(Locale.ROOT, "haircolor fresh %.0f req/s, warm %.0f req/s; nginx %.0f, %.0f req/s%n",
                    fresh.rps(), warm.rps(), nginxFresh.rps(), nginxWarm.rps());
            StringBuilder sb = new StringBuilder("## haircolor (`bench/run haircolor`)\n\n");
            sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                    .append(Runtime.getRuntime().availableProcessors()).append(" cores, loopback, `wrk -t")
                    .append(WRK_THREADS).append(" -c").append(WRK_CONNECTIONS).append(" -d").append(WRK_SECONDS)
                    .append(" --latency` on `/`, in one run: haircolor as a fresh `java -jar haircolor.jar` the")
                    .append(" moment its `/healthz` answers, nginx serving the same page (saved from haircolor's")
                    .append(" `GET /`) as a static file, then haircolor after ").append(WARM_UP_RUNS)
                    .append(" more such runs, and nginx again. Target: at least half of nginx's throughput.\n\n")
                    .append("| server | requests/s | p99 latency |\n|---|---:|---:|\n");
            row(sb, "haircolor, fresh process", fresh);
            row(sb, "nginx (static file)", nginxFresh);
            row(sb, "haircolor, warmed up", warm);
            row(sb, "nginx (static file), again", nginxWarm);
            sb.append(String.format(Locale.ROOT, "%nRatio haircolor / nginx: fresh %.2f, warmed up %.2f.%n",
                    fresh.rps() / nginxFresh.rps(), warm.rps() / nginxWarm.rps()));
            System.out.print(sb);
            BenchReport.replaceSection(output, "haircolor", sb.toString());
        } finally {
            if (nginx != null) {
                nginx.destroy();
                nginx.waitFor(10, TimeUnit.SECONDS);
            }
            app.destroy();
            app.waitFor(10, TimeUnit.SECONDS);
            BenchReport.removeDir(dir);
        }
    }

    private static void row(StringBuilder sb, String server, Result r) {
        sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f ms |%n", server, r.rps(), r.p99ms()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The body of {@code url} once it answers 200. */
    private static String await(String url) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return r.body();
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new BirdbathException(url + " did not answer within 30 s");
            }
            Thread.sleep(20);
        }
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
