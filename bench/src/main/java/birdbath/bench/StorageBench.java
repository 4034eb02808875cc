package birdbath.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GlusterFS on 3 local nodes (replica 3, bricks on loop devices, peers over the userspace IPsec mesh):
 * sequential write and read of one file with dd through the FUSE mount on node 1, and the same on node 1's
 * brick filesystem directly. Needs root. Usage: StorageBench [OUTPUT.md] [MiB]
 */
public final class StorageBench {

    private static final List<String> STAGES = List.of("provision", "machine-id", "baseline", "pki", "ipsec",
            "storage");
    private static final Pattern RATE = Pattern.compile("([0-9.,]+) ([kMG]?B)/s");

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        double[] fuse;
        double[] brick;
        double up;
        try (BenchCluster cluster = new BenchCluster("storagebench", 3)) {
            cluster.up(STAGES.subList(0, 5));
            up = cluster.up(List.of("storage"));
            String node = cluster.birdbath().nodes().get(0).name();
            fuse = ddPair(cluster, node, "/mnt/birdbath/bench.dat", mib);
            brick = ddPair(cluster, node, "/var/lib/birdbath/brick/bench-direct.dat", mib);
        }
        StringBuilder sb = new StringBuilder("## GlusterFS (`bench/run storage`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores: 3 local nodes, replica 3 volume,")
                .append(" bricks XFS on loop devices (files in the host's /tmp), peers over the userspace IPsec")
                .append(" mesh. One file of ").append(mib).append(" MiB, `dd bs=1M`: written with")
                .append(" `conv=fsync`, then read back with `iflag=direct` (the nodes cannot drop the page cache).")
                .append(String.format(Locale.ROOT, " `up --only storage` on fresh nodes: %.1f s.%n%n", up));
        sb.append("| path | write | read |\n|---|---:|---:|\n");
        sb.append(String.format(Locale.ROOT, "| FUSE mount /mnt/birdbath (3 replicas over IPsec) | %.0f MB/s |"
                + " %.0f MB/s |%n", fuse[0], fuse[1]));
        sb.append(String.format(Locale.ROOT, "| the brick's XFS directly | %.0f MB/s | %.0f MB/s |%n", brick[0],
                brick[1]));
        sb.append(String.format(Locale.ROOT, "| ratio FUSE / brick | %.3f | %.3f |%n", fuse[0] / brick[0],
                fuse[1] / brick[1]));
        sb.append("\nA write goes to all three bricks, two of them through userspace IPsec tunnels (one TCP stream"
                + " there does about 270 Mbit/s, see the IPsec section), which bounds the write rate here; reads are"
                + " served by the node's own brick. Linode's kernel ESP data plane does not have this bound.\n");
        System.out.print(sb);
        BenchReport.replaceSection(output, "storage", sb.toString());
    }

    /** {write MB/s, read MB/s} of one file at {@code path} on {@code node}. */
    private static double[] ddPair(BenchCluster cluster, String node, String path, int mib) {
        String write = cluster.ssh(node, "dd if=/dev/zero of=" + path + " bs=1M count=" + mib + " conv=fsync 2>&1");
        String read = cluster.ssh(node, "dd if=" + path + " of=/dev/null bs=1M iflag=direct 2>&1; rm -f " + path);
        return new double[] {rate(write), rate(read)};
    }

    /** dd's summary rate in MB/s (10^6 bytes). */
    static double rate(String ddOutput) {
        Matcher m = RATE.matcher(ddOutput);
        double value = -1;
        String unit = "";
        while (m.find()) {
            value = Double.parseDouble(m.group(1).replace(',', '.'));
            unit = m.group(2);
        }
        return switch (unit) {
            case "kB" -> value / 1000;
            case "GB" -> value * 1000;
            case "B" -> value / 1e6;
            default -> value;
        };
    }
}
