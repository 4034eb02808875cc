package birdbath.bench;

import birdbath.Birdbath;
import birdbath.BirdbathException;
import birdbath.Reporter;
import birdbath.host.Host;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A throw-away local cluster for a benchmark: its own config in a temporary directory, removed on close. */
final class BenchCluster implements AutoCloseable {

    private final Path dir;
    private final String name;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private Birdbath birdbath;

    BenchCluster(String name, int nodes) throws Exception {
        dir = Files.createTempDirectory("birdbath-bench-" + name);
        this.name = name;
        nodes(nodes);
    }

    /** Sets cluster.nodes in the config; the next {@link #up} adds or (allowed) removes nodes. */
    void nodes(int nodes) throws IOException {
        Path config = dir.resolve("birdbath.yaml");
        Files.writeString(config, "provider: local\ncluster:\n  name: " + name + "\n  nodes: " + nodes + "\n");
        birdbath = new Birdbath(config, System.getenv(), Reporter.into(line -> {
            lines.add(line);
            if (line.startsWith("warning: ")) {
                System.err.println(line);
            }
        }));
    }

    /** What birdbath reported since the last call, and forgets it. */
    List<String> takeLines() {
        synchronized (lines) {
            List<String> out = List.copyOf(lines);
            lines.clear();
            return out;
        }
    }

    Birdbath birdbath() {
        return birdbath;
    }

    /** Runs {@code up --only stages}; returns its wall time in seconds. */
    double up(List<String> stages) {
        return up(stages, false);
    }

    /** As {@link #up(List)}, removing nodes beyond cluster.nodes when {@code allowRemovals} (`up --yes`). */
    double up(List<String> stages, boolean allowRemovals) {
        long start = System.nanoTime();
        birdbath.up(stages, null, allowRemovals);
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
