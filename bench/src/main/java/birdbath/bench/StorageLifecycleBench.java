package birdbath.bench;

import birdbath.BirdbathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Growing the volume 3 -> 6 nodes and shrinking it 6 -> 3 with data on it (default 1 GiB in 16 MiB files), each
 * as one `up` of every stage on local nodes, beside writing the same data once through the mount: the time of
 * each, and of its data movement (rebalance, remove-brick) as glusterd reports it. Every file's sum is checked
 * after each change. Needs root. Usage: StorageLifecycleBench [OUTPUT.md] [MiB]
 */
public final class StorageLifecycleBench {

    private static final List<String> STAGES = List.of();
    /** "rebalanced: completed, 12 files (201.3 MB) moved in 41 s" and the remove-brick's "removed ...: ..." line. */
    private static final Pattern MOVED = Pattern.compile("(\\d+) files \\(([0-9.]+) MB\\) moved in (\\d+) s");

    public static void main(String[] args) throws Exception {
        Path output = BenchReport.output(args);
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        int files = Math.max(1, mib / 16);
        double write;
        double grow;
        double shrink;
        double[] rebalance;
        double[] removeBrick;
        try (BenchCluster cluster = new BenchCluster("lifebench", 3)) {
            cluster.up(STAGES);
            String node = cluster.birdbath().nodes().get(0).name();
            long start = System.nanoTime();
            cluster.ssh(node, "mkdir -p /mnt/birdbath/data && for i in $(seq 1 " + files + "); do head -c 16M"
                    + " /dev/urandom > /mnt/birdbath/data/f$i || exit 1; done; sync");
            write = (System.nanoTime() - start) / 1e9;
            String sums = sums(cluster, node);
            cluster.takeLines();

            cluster.nodes(6);
            grow = cluster.up(STAGES);
            rebalance = moved(cluster.takeLines(), "rebalanced: ");
            requireSame(sums, sums(cluster, cluster.birdbath().nodes().get(5).name()), "after the grow");

            cluster.nodes(3);
            shrink = cluster.up(STAGES, true);
            removeBrick = moved(cluster.takeLines(), "removed from the volume: ");
            requireSame(sums, sums(cluster, cluster.birdbath().nodes().get(2).name()), "after the shrink");
        }
        StringBuilder sb = new StringBuilder("## Growing and shrinking the volume (`bench/run storage-lifecycle`)\n\n");
        sb.append("Measured ").append(java.time.LocalDate.now()).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, one run: local nodes, replica 3,")
                .append(" bricks XFS on loop devices, peers over the userspace IPsec mesh. ").append(files)
                .append(" files of 16 MiB (").append(mib).append(" MiB) written through the mount on node 1; then")
                .append(" `up` with cluster.nodes 6 (3 new nodes through every stage, add-brick, rebalance) and `up")
                .append(" --yes` with 3 again (remove-brick start, wait, commit; then the nodes go). Every file's")
                .append(" sha256 is the same after each change. \"Moved\" is glusterd's own count.\n\n");
        sb.append("| step | wall time | data moved | moving took | moved at |\n|---|---:|---:|---:|---:|\n");
        sb.append(String.format(Locale.ROOT, "| write the data once through the mount | %.1f s | %d MiB | | %.1f MB/s |%n",
                write, mib, mib * 1.048576 / write));
        row(sb, "grow 3 -> 6 (`up`)", grow, rebalance);
        row(sb, "shrink 6 -> 3 (`up --yes`)", shrink, removeBrick);
        sb.append(String.format(Locale.ROOT, "%nRatios to writing the data once: grow %.2f, shrink %.2f; the data"
                + " movement alone %.2f and %.2f.%n", grow / write, shrink / write, rebalance[2] / write,
                removeBrick[2] / write));
        System.out.print(sb);
        BenchReport.replaceSection(output, "storage-lifecycle", sb.toString());
    }

    private static void row(StringBuilder sb, String step, double wall, double[] moved) {
        sb.append(String.format(Locale.ROOT, "| %s | %.1f s | %.0f files, %.0f MB | %.0f s | %.1f MB/s |%n", step, wall,
                moved[0], moved[1], moved[2], moved[2] > 0 ? moved[1] / moved[2] : 0));
    }

    private static String sums(BenchCluster cluster, String node) {
        return cluster.ssh(node, "cd /mnt/birdbath/data && ls | sort | xargs sha256sum");
    }

    private static void requireSame(String before, String after, String when) {
        if (!before.equals(after)) {
            throw new BirdbathException("the files' sums differ " + when + ": a benchmark of a change that loses data"
                    + " measures nothing");
        }
    }

    /** {files, MB, seconds} from the line birdbath printed when the data movement ended. */
    private static double[] moved(List<String> lines, String marker) {
        for (String line : lines) {
            Matcher m = MOVED.matcher(line);
            if (line.contains(marker) && m.find()) {
                return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(3))};
            }
        }
        throw new BirdbathException("no line with '" + marker + "' in the output of up: " + lines);
    }
}
