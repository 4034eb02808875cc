package birdbath.testing;


import birdbath.Birdbath;
import birdbath.Reporter;
import birdbath.host.Host;
import birdbath.provider.local.LocalProvider;
import birdbath.testkit.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A throw-away local cluster for one test class: a config in a temporary directory, output collected, and
 * {@link #close()} removing nodes, network and directory even after a failure. Skips the test without root.
 */
public final class LocalTestCluster implements AutoCloseable {

    public final String name;
    public final Path dir;
    public final Path config;
    public final List<String> output = Collections.synchronizedList(new ArrayList<>());

    public LocalTestCluster(String prefix, String extraYaml) throws Exception {
        TestHost.requireRoot("local nodes are containers in network namespaces, with loop devices");
        LocalProvider.preflight();
        name = prefix + UUID.randomUUID().toString().substring(0, 6);
        dir = Files.createTempDirectory("birdbath-" + prefix);
        config = dir.resolve("birdbath.yaml");
        Files.writeString(config, "provider: local\ncluster:\n  name: " + name + "\n  nodes: 3\n" + extraYaml);
    }

    public Birdbath birdbath() {
        return new Birdbath(config, Map.of(), Reporter.into(output::add));
    }

    public String node(int n) {
        return name + "-" + n;
    }

    /** A command's output on a node, as root; the command must succeed. */
    public String run(String node, String command) {
        return NodeShell.run(birdbath(), node, command);
    }

    @Override
    public void close() {
        try {
            // birdbath refuses to run on keys open to others: whatever a test did to the modes, the nodes still go
            Path state = dir.resolve(".birdbath");
            Host.run(Duration.ofMinutes(1), "sh", "-c", "chmod -f go-rwx \"$1\"; cd \"$1\" && chmod -Rf go-rwx ssh secrets pki"
                    + " kubeconfig; true", "sh", state.toString());
            birdbath().down();
        } finally {
            Host.run(Duration.ofMinutes(1), "rm", "-rf", "--one-file-system", dir.toString());
        }
    }
}
