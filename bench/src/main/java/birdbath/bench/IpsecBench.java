package birdbath.bench;

import birdbath.BirdbathException;
import birdbath.host.Host;
import birdbath.provider.Node;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * IPsec on local nodes: time from `up --only ipsec` (nodes already through pki) until every node has an
 * installed CHILD SA with every other; then, on the smallest cluster, one TCP stream (iperf3 from the host,
 * run inside the nodes' network namespaces) between nodes 1 and 2 through the tunnel and, with IPsec stopped
 * on both, without it. Needs root and iperf3 on the host. Usage: IpsecBench [OUTPUT.md] [NODES...]
 */
public final class IpsecBench {

    private static final List<String> BEFORE = List.of("provision", "machine-id", "baseline", "pki");
    private static final Duration MESH_DEADLINE = Duration.ofMinutes(3);
    private static final int IPERF_SECONDS = 5;

    record Mesh(int nodes, double stage, double mesh) { }

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        List<Integer> sizes = BenchReport.sizes(args, List.of(3, 10));
        if (Host.run(Duration.ofSeconds(10), "sh", "-c", "command -v iperf3").exit() != 0) {
            throw new BirdbathException("iperf3 is not installed on this host (apt-get install iperf3)");
        }
        List<Mesh> meshes = new ArrayList<>();
        double tunnel = 0;
        double plain = 0;
        for (int n : sizes) {
            try (BenchCluster cluster = new BenchCluster("ipsecbench" + n, n)) {
                cluster.up(BEFORE);
                long start = System.nanoTime();
                double stage = cluster.up(List.of("ipsec"));
                awaitMesh(cluster);
                double mesh = (System.nanoTime() - start) / 1e9;
                System.err.printf(Locale.ROOT, "%3d nodes  ipsec stage %.1f s, full mesh %.1f s%n", n, stage, mesh);
                meshes.add(new Mesh(n, stage, mesh));
                if (n == sizes.get(0)) {
                    List<Node> nodes = cluster.birdbath().nodes();
                    tunnel = tcpStream(nodes.get(0), nodes.get(1));
                    for (Node node : nodes.subList(0, 2)) {
                        cluster.ssh(node.name(), "systemctl stop birdbath-ipsec-keeper birdbath-ipsec"
                                + " birdbath-ipsec-guard");
                    }
                    plain = tcpStream(nodes.get(0), nodes.get(1));
                    System.err.printf(Locale.ROOT, "TCP: tunnel %.0f Mbit/s, plain %.0f Mbit/s%n", tunnel, plain);
                }
            }
        }
        StringBuilder sb = new StringBuilder("## IPsec mesh and throughput (`bench/run ipsec`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, local nodes, userspace data plane")
                .append(" (kernel-libipsec: ESP in charon, packets through a TUN device). Full mesh: from the start")
                .append(" of `up --only ipsec` (nodes already through pki) until every node lists an installed CHILD")
                .append(" SA with every other node.\n\n");
        sb.append("| nodes | ipsec stage | full mesh |\n|---:|---:|---:|\n");
        for (Mesh m : meshes) {
            sb.append(String.format(Locale.ROOT, "| %d | %.1f s | %.1f s |%n", m.nodes(), m.stage(), m.mesh()));
        }
        sb.append(String.format(Locale.ROOT, "%nOne TCP stream, node 1 to node 2, iperf3 for %d s: through the"
                + " tunnel %.0f Mbit/s, without IPsec %.0f Mbit/s (ratio %.3f). The userspace data plane copies"
                + " every packet through charon; Linode's kernel data plane (kernel ESP) is not measurable"
                + " here.%n", IPERF_SECONDS, tunnel, plain, plain > 0 ? tunnel / plain : 0));
        System.out.print(sb);
        BenchReport.replaceSection(output, "ipsec", sb.toString());
    }

    /** Polls every node until it lists an installed CHILD SA with each other node. */
    private static void awaitMesh(BenchCluster cluster) throws InterruptedException {
        List<Node> nodes = cluster.birdbath().nodes();
        long deadline = System.nanoTime() + MESH_DEADLINE.toNanos();
        List<Node> pending = new ArrayList<>(nodes);
        while (!pending.isEmpty()) {
            pending.removeIf(node -> peersWithSa(cluster, node) >= nodes.size() - 1);
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new BirdbathException("no full mesh after " + MESH_DEADLINE.toSeconds() + " s; missing on "
                        + pending.stream().map(Node::name).toList());
            }
            Thread.sleep(200);
        }
    }

    private static int peersWithSa(BenchCluster cluster, Node node) {
        String out = cluster.ssh(node.name(), "swanctl --list-sas 2>/dev/null | awk '/INSTALLED/ {print $1}'"
                + " | sort -u | wc -l");
        return Integer.parseInt(out.strip());
    }

    /** Mbit/s received by one iperf3 TCP stream from {@code from} to {@code to}. */
    private static double tcpStream(Node from, Node to) throws Exception {
        String server = BenchCluster.namespaceOf(to.privateIp());
        String client = BenchCluster.namespaceOf(from.privateIp());
        Host.check(Duration.ofSeconds(20), "ip", "netns", "exec", server, "iperf3", "-s", "-1", "-D",
                "-B", to.privateIp());
        // the daemonised server may need a moment to listen; retry the client within a deadline
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            Host.Result r = Host.run(Duration.ofSeconds(IPERF_SECONDS + 30), "ip", "netns", "exec", client, "iperf3",
                    "-c", to.privateIp(), "-t", String.valueOf(IPERF_SECONDS), "-J");
            if (r.ok()) {
                JsonNode json = new ObjectMapper().readTree(r.out());
                return json.path("end").path("sum_received").path("bits_per_second").asDouble() / 1e6;
            }
            if (System.nanoTime() > deadline) {
                throw new BirdbathException("iperf3 from " + from.name() + " to " + to.name() + " failed: "
                        + Host.tail(r.out() + r.err()));
            }
            Thread.sleep(200);
        }
    }
}
