package birdbath.bench;

import birdbath.Birdbath;
import birdbath.BirdbathException;
import birdbath.Reporter;
import birdbath.host.Host;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A throw-away local cluster for a benchmark: its own config in a temporary directory, removed on close. */
final class BenchCluster implements AutoCloseable {

    private final Path dir;
    private final Birdbath birdbath;

    BenchCluster(String name, int nodes) throws Exception {
        dir = Files.createTempDirectory("birdbath-bench-" + name);
        Path config = dir.resolve("birdbath.yaml");
        Files.writeString(config, "provider: local\ncluster:\n  name: " + name + "\n  nodes: " + nodes + "\n");
        birdbath = new Birdbath(config, System.getenv(), Reporter.into(line -> {
            if (line.startsWith("warning: ")) {
                System.err.println(line);
            }
        }));
    }

    Birdbath birdbath() {
        return birdbath;
    }

    /** Runs {@code up --only stages}; returns its wall time in seconds. */
    double up(List<String> stages) {
        long start = System.nanoTime();
        birdbath.up(stages, null, false);
        return (System.nanoTime() - start) / 1e9;
    }

    /** A command's standard output on a node; fails on a non-zero exit. */
    String ssh(String node, String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = birdbath.ssh(node, command, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new BirdbathException(node + ": '" + command + "' exited " + rc + ": " + err.toString(StandardCharsets.UTF_8));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The host's network namespace that holds a node's private address. */
    static String namespaceOf(String address) {
        for (String line : Host.check(Duration.ofSeconds(10), "ip", "netns", "list").split("\n")) {
            String ns = line.split(" ")[0].strip();
            if (!ns.isEmpty() && Host.run(Duration.ofSeconds(10), "ip", "-n", ns, "-o", "-4", "addr", "show").out()
                    .contains(" " + address + "/")) {
                return ns;
            }
        }
        throw new BirdbathException("no network namespace holds " + address);
    }

    @Override
    public void close() throws Exception {
        try {
            birdbath.down();
        } finally {
            BenchReport.removeDir(dir);
        }
    }
}
