package birdbath.bench;

import birdbath.Birdbath;
import birdbath.Reporter;
import birdbath.config.ClusterSpec.Role;
import birdbath.provider.Node;
import birdbath.remote.NodeFile;
import birdbath.state.StateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The IPsec configuration one node gets, rendered for clusters of 3, 20 and 100 nodes (nothing is started). */
public final class IpsecConfigBench {

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        StringBuilder sb = new StringBuilder("## IPsec configuration size per node (`bench/run ipsec-config`)\n\n");
        sb.append("Rendered, not deployed: the configuration files `birdbath render ipsec` shows for node 1 (userspace")
                .append(" data plane; not the certificates and the key, whose size does not depend on the cluster).")
                .append(" Each peer is one swanctl connection, so the size grows linearly with the cluster:"
                        + " libipsec cannot trap traffic, so every peer needs a connection that is started"
                        + " explicitly.\n\n");
        sb.append("| nodes | swanctl.conf | all ipsec files | bytes per peer |\n|---:|---:|---:|---:|\n");
        for (int n : BenchReport.sizes(args, List.of(3, 20, 100))) {
            Path dir = Files.createTempDirectory("birdbath-bench-ipsec");
            Path config = dir.resolve("birdbath.yaml");
            Files.writeString(config, "provider: local\ncluster:\n  name: sz\n  nodes: " + n + "\n");
            Birdbath b = new Birdbath(config, Map.of(), Reporter.silent());
            List<Node> nodes = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                String ip = "198.18.1." + (10 + i);
                nodes.add(new Node("sz-" + i, i, Set.of(Role.WORKER), ip, ip, "sz-" + i + ".birdbath.test", null,
                        new Node.Ssh(ip, 22, "root"), "bench"));
            }
            new StateFiles(b.spec()).write(nodes);
            b.pki().issue(nodes, false);
            // the configuration files: certificates and the key are the same size whatever the cluster
            List<NodeFile> files = b.render("ipsec", "sz-1").get("sz-1").stream()
                    .filter(f -> !f.path().startsWith("/etc/swanctl/x509") && !f.secret()).toList();
            int swanctl = files.stream().filter(f -> f.path().equals("/etc/swanctl/conf.d/birdbath.conf"))
                    .findFirst().orElseThrow().content().length;
            int all = files.stream().mapToInt(f -> f.content().length).sum();
            sb.append(String.format(Locale.ROOT, "| %d | %d B | %d B | %d B |%n", n, swanctl, all,
                    (swanctl - 100) / Math.max(1, n - 1)));
            BenchReport.removeDir(dir);
        }
        System.out.print(sb);
        BenchReport.replaceSection(output, "ipsec-config", sb.toString());
    }
}
