package birdbath.cli;

import birdbath.stage.etcd.EtcdClient;
import birdbath.stage.etcd.EtcdOperations.MemberStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "etcd", mixinStandardHelpOptions = true,
        description = {"The cluster's etcd, through birdbath's own client certificate (etcd-admin) over SSH."},
        subcommands = {EtcdCommand.Status.class, EtcdCommand.Snapshot.class, EtcdCommand.Restore.class})
final class EtcdCommand extends GroupCommand {

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Members, the leader, health, database size and raft index per member. Exit 1 unless all"
                    + " are healthy.")
    static final class Status implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            List<MemberStatus> rows = config.open().etcdStatus();
            System.out.printf(Locale.ROOT, "%-16s %-16s %-26s %-8s %-7s %9s %10s %s%n", "NODE", "MEMBER ID",
                    "PEER URL", "HEALTH", "LEADER", "DB SIZE", "RAFT INDEX", "VERSION");
            for (MemberStatus r : rows) {
                if (!r.error().isEmpty()) {
                    System.out.printf(Locale.ROOT, "%-16s %-16s %-26s %-8s %s%n", r.node(), "-", r.peerUrl(),
                            "DOWN", r.error());
                    continue;
                }
                System.out.printf(Locale.ROOT, "%-16s %-16s %-26s %-8s %-7s %9s %10d %s%n", r.node(),
                        EtcdClient.hexId(r.id()), r.peerUrl(),
                        r.healthy() ? "healthy" : "UNHEALTHY", r.leader() ? "leader" : "", size(r.dbSize()),
                        r.raftIndex(), r.version());
            }
            return rows.stream().allMatch(MemberStatus::healthy) ? 0 : 1;
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "Save a snapshot of the etcd database to FILE (0600: it holds the cluster's secrets).")
    static final class Snapshot implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "FILE", description = "Where to write the snapshot.")
        Path file;

        @Override
        public Integer call() {
            long bytes = config.open().etcdSnapshot(file);
            System.out.println("wrote " + file + " (" + size(bytes) + ")");
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Disaster recovery: replace the whole etcd cluster's data with a snapshot.",
                    "FILE is checked first (nothing stops if it is not a usable snapshot); then every member stops,",
                    "its data dir is moved aside (kept, never deleted), the snapshot is restored on every member",
                    "as a new cluster of the configured members, and all start again."})
    static final class Restore implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "FILE", description = "A snapshot from `birdbath etcd snapshot` (or etcdctl).")
        Path file;

        @Override
        public Integer call() {
            Map<String, String> kept = config.open().etcdRestore(file);
            System.out.println("restored " + file + " on " + kept.size() + " member(s); all healthy");
            kept.forEach((node, dir) -> System.out.println("  " + node + ": previous data dir: " + dir));
            return 0;
        }
    }

    static String size(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
                : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
