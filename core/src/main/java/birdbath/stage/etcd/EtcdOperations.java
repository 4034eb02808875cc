package birdbath.stage.etcd;

import birdbath.BirdbathException;
import birdbath.host.Host;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.secrets.SecretFiles;
import birdbath.stage.NodeCommands;
import birdbath.stage.StageRun;
import birdbath.stage.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** `birdbath etcd status|snapshot|restore`: the cluster as an operator sees it, and its disaster recovery. */
public final class EtcdOperations {

    /** One member in `etcd status`; {@code error} says why the rest is empty. */
    public record MemberStatus(String node, String id, String peerUrl, boolean healthy, boolean leader, long dbSize,
                               long raftIndex, String version, String error) { }

    private final EtcdCluster cluster;

    public EtcdOperations(StageRun run) {
        this.cluster = new EtcdCluster(run);
        if (cluster.members().isEmpty()) {
            throw new BirdbathException("this cluster has no etcd members");
        }
    }

    public List<MemberStatus> status() {
        List<MemberStatus> rows = new ArrayList<>();
        EtcdClient client = cluster.client();
        for (Node n : cluster.members()) {
            try {
                EtcdClient.Status s = client.status(cluster.endpoint(n));
                rows.add(new MemberStatus(n.name(), s.memberId(), EtcdCluster.peerUrl(n),
                        client.healthy(cluster.endpoint(n)), s.memberId().equals(s.leader()), s.dbSize(),
                        s.raftIndex(), s.version(), ""));
            } catch (BirdbathException e) {
                rows.add(new MemberStatus(n.name(), "", EtcdCluster.peerUrl(n), false, false, 0, 0, "",
                        e.getMessage()));
            }
        }
        return rows;
    }

    /** Streams a snapshot from a member that answers into {@code file} (0600, written atomically); its size. */
    public long snapshot(Path file) {
        Node from = cluster.answering();
        return SecretFiles.writeSecret(file.toAbsolutePath(), out -> {
            if (cluster.client().snapshot(cluster.endpoint(from), out) == 0) {
                throw new BirdbathException("etcd on " + from.name() + " sent an empty snapshot");
            }
        });
    }

    /**
     * Disaster recovery: the snapshot is checked on the first member (a trial restore) before anything stops;
     * then every member stops, its data dir is moved aside (kept), the snapshot is restored as a new cluster with
     * the configured members, and all start again. Returns where each member's old data dir was kept.
     */
    public Map<String, String> restore(Path file) {
        byte[] snapshot;
        try {
            snapshot = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BirdbathException("cannot read the snapshot " + file + ": " + e.getMessage());
        }
        String remote = "/var/lib/etcd/birdbath-restore.db";
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        var engine = cluster.run().engine();
        engine.onEach("upload snapshot", cluster.members(), c -> {
            run(c, "umask 077 && cat > " + remote + ".new && chown etcd:etcd " + remote + ".new && mv -f " + remote
                    + ".new " + remote, snapshot);
            return true;
        });
        Node first = cluster.members().get(0);
        String trial = "/var/lib/etcd/birdbath-restore-check";
        Host.Result check = engine.session(first).exec("rm -rf " + trial + "; if command -v etcdutl >/dev/null;"
                + " then etcdutl snapshot restore " + remote + " --data-dir " + trial + "; else ETCDCTL_API=3 etcdctl"
                + " snapshot restore " + remote + " --data-dir " + trial + "; fi; rc=$?; rm -rf " + trial + "; exit $rc",
                null, Duration.ofMinutes(10));
        if (!check.ok()) {
            engine.onEach("remove snapshot", cluster.members(), c -> c.exec("rm -f " + remote).ok());
            throw new BirdbathException(file + " is not a usable etcd snapshot (nothing was stopped): "
                    + Host.tail(check.err().isBlank() ? check.out() : check.err()));
        }
        engine.onEach("stop etcd", cluster.members(), c -> {
            run(c, "systemctl stop " + EtcdCluster.UNIT, null);
            return true;
        });
        String initial = EtcdCluster.initialCluster(cluster.members());
        Map<String, String> kept = engine.onEach("restore etcd", cluster.members(), c -> {
            Node node = cluster.members().stream().filter(n -> n.name().equals(c.node())).findFirst().orElseThrow();
            String said = run(c, Template.render("etcd/restore.sh", Map.of("name", node.name(), "snapshot", remote, "data_dir",
                    EtcdCluster.DATA_DIR, "stamp", stamp, "initial_cluster", initial, "token", cluster.token(),
                    "peer_url", EtcdCluster.peerUrl(node))), null);
            run(c, "systemctl start --no-block " + EtcdCluster.UNIT, null);
            return said.lines().filter(l -> l.startsWith("kept ")).map(l -> l.substring(5)).findFirst()
                    .orElse("(none: it had no data dir)");
        });
        cluster.awaitHealthy(cluster.members(), EtcdMembership.START_DEADLINE);
        Map<String, String> ordered = new java.util.LinkedHashMap<>();
        cluster.members().forEach(n -> ordered.put(n.name(), kept.get(n.name())));
        return ordered;
    }

    static String run(SshConnection c, String command, byte[] stdin) {
        return NodeCommands.must(c, "etcd", command, stdin, Duration.ofMinutes(10));
    }
}
