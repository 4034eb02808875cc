package birdbath.stage.storage;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.stage.NodeCommands;
import birdbath.stage.StageRun;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A server rebuilt behind birdbath's back (a Linode deleted and created again, a local node's container gone):
 * its glusterd starts with a new UUID and an empty pool, while the others still know its address under the old
 * UUID and refuse it ("Peer Rejected"). It gets the old UUID back and probes a server that knows it, which hands
 * it the pool and the volume (the procedure of gluster-ansible-maintenance's replace_node role and of the former
 * "Fixing Peer Rejected" page, docs/upstream/glusterfs-lifecycle.md §3). {@link BrickRestore} then brings its brick
 * back.
 */
final class StorageRejoin {

    static final String INFO = "/var/lib/glusterd/glusterd.info";
    /** glusterd's store of its peers: a file per peer, named by its UUID (uuid=, state=, hostname1=...). */
    static final String PEERS = "/var/lib/glusterd/peers";
    static final Duration REJOIN_DEADLINE = Duration.ofSeconds(90);
    /** How long the pool gets to settle by itself before, and after, each repair. */
    static final Duration SETTLE_DEADLINE = Duration.ofSeconds(30);
    static final int REPAIRS = 3;

    private final StageRun run;
    private final GlusterLayout layout;

    StorageRejoin(StageRun run, GlusterLayout layout) {
        this.run = run;
        this.layout = layout;
    }

    /** The servers brought back into the pool, by name; empty when none was rebuilt. */
    List<String> rejoin() {
        List<Node> servers = layout.servers();
        if (servers.size() < 2) {
            return List.of();
        }
        Map<String, Map<String, GlusterStatus.PoolMember>> pools = new LinkedHashMap<>();
        for (Node s : servers) {
            pools.put(s.name(), GlusterStatus.pool(run.engine().session(s)));
        }
        // a server that knows others; a rebuilt one knows only itself
        Optional<Node> reference = servers.stream().filter(s -> pools.get(s.name()).size() > 1).findFirst();
        if (reference.isEmpty()) {
            return List.of();
        }
        Map<String, GlusterStatus.PoolMember> known = pools.get(reference.get().name());
        List<Node> rebuilt = servers.stream().filter(s -> pools.get(s.name()).size() == 1
                && known.containsKey(s.privateIp())
                && !known.get(s.privateIp()).uuid().equals(pools.get(s.name()).get("localhost").uuid())).toList();
        for (Node s : rebuilt) {
            rejoin(s, known.get(s.privateIp()).uuid(), reference.get());
        }
        settle(servers.stream().filter(s -> s == reference.get() || known.containsKey(s.privateIp())).toList());
        for (Node s : rebuilt) {
            SshConnection c = run.engine().session(s);
            Poll.until(s.name() + " to receive the volume from the pool", REJOIN_DEADLINE, Duration.ofSeconds(1),
                    () -> GlusterStatus.volume(c).isPresent());
        }
        return rebuilt.stream().map(Node::name).toList();
    }

    /**
     * Waits until every server of {@code pool} sees every other "Peer in Cluster (Connected)". A server that does
     * not in time and holds a handshake half done, or lacks a peer, gets its glusterd stopped, each pool member's
     * peer file in state 4 "Accepted peer request", 5 "Sent and Received peer request" or 10 "Peer is connected and
     * Accepted" marked 3 "Peer in Cluster", and started again: glusterd keeps the state in its store across
     * restarts and leaves 5 and 10 only on an accept that a lost connection or a restart never sends, so restarts
     * alone left the twin's pool stuck (glusterd-sm.c, v10.3). This is the fix glusterd's troubleshooting guide
     * gives; a peer in the cluster sends its friend request again on connecting, and the other side still checks
     * the volumes' checksums (a mismatch is "Peer Rejected", left alone). The restart also makes a rebuilt server
     * connect to the peers it learnt from the first. One server at a time: a stop takes its bricks down too
     * ({@link StorageStage#START_GLUSTERD}). At most {@link #REPAIRS} rounds; returns a line per repair.
     */
    List<String> settle(List<Node> pool) {
        List<String> done = new java.util.ArrayList<>();
        for (int round = 0; ; round++) {
            if (Poll.within("the storage pool to settle", SETTLE_DEADLINE, Duration.ofSeconds(1),
                    () -> StorageStage.poolSettled(run, pool))) {
                return done;
            }
            Map<String, Map<String, String>> views = run.engine().onEach("storage pool", pool, StorageStage::peers);
            List<Node> unsettled = pool.stream().filter(n -> StorageStage.connectedPeers(views.get(n.name()))
                    < pool.size() - 1).toList();
            if (unsettled.isEmpty()) {
                return done;
            }
            String states = String.join("; ", unsettled.stream().map(n -> n.name() + " sees "
                    + describe(views.get(n.name()))).toList());
            List<Node> repairable = unsettled.stream().filter(n -> views.get(n.name()).size() < pool.size() - 1
                    || views.get(n.name()).values().stream().anyMatch(StorageRejoin::halfDone)).toList();
            if (round == REPAIRS || repairable.isEmpty()) {
                throw new BirdbathException("storage: " + (round == 0 ? "" : "after " + round + " restarts of"
                        + " glusterd, ") + "not every server sees every other as \"" + StorageStage.PEER_IN_CLUSTER
                        + "\": " + states);
            }
            String finish = finishHandshakes(pool);
            for (int i = 0; i < repairable.size(); i++) {
                Node n = repairable.get(i);
                SshConnection c = run.engine().session(n);
                String marked = StorageStage.must(c, finish).strip();
                if (i < repairable.size() - 1) {
                    // its bricks stopped with glusterd: back before the next server's stop, or a replica set
                    // loses its quorum; if they are not, the pool's trouble is elsewhere and the repair goes on
                    StorageStage.bricksBack(c, n.name(), GlusterLayout.on(n, layout.bricks()));
                }
                String what = "restarted glusterd on " + n.name() + " (it saw " + describe(views.get(n.name()))
                        + ")" + (marked.equals("0") ? "" : ", " + marked + " half-done handshake(s) marked \""
                        + IN_CLUSTER + "\"");
                report(n.name(), what);
                done.add(what);
            }
        }
    }

    /** State 3 as `gluster peer status` names it (glusterd-sm.c, v10.3), before " (Connected)" or " (Disconnected)". */
    static final String IN_CLUSTER = "Peer in Cluster";
    private static final int IN_CLUSTER_STATE = 3;
    /**
     * The states a handshake stops in when an accept was lost, by their number in the peer file and their name in
     * `gluster peer status` (glusterd-sm.h and glusterd-sm.c, v10.3).
     */
    static final Map<Integer, String> HALF_DONE = Map.of(4, "Accepted peer request", 5,
            "Sent and Received peer request", 10, "Peer is connected and Accepted");

    /** Whether a state of `gluster peer status` ("Sent and Received peer request (Connected)") is one of those. */
    private static boolean halfDone(String state) {
        return HALF_DONE.values().stream().anyMatch(h -> state.startsWith(h + " ("));
    }

    /**
     * glusterd stopped, the pool's peer files in a {@link #HALF_DONE} state set to 3, glusterd started whatever sed
     * did; prints how many it set.
     */
    private static String finishHandshakes(List<Node> pool) {
        String addresses = String.join("|", pool.stream().map(n -> n.privateIp().replace(".", "\\.")).toList());
        String states = "state=(" + String.join("|", HALF_DONE.keySet().stream().sorted().map(String::valueOf)
                .toList()) + ")";
        return "systemctl stop glusterd && { n=0; for f in $(grep -lxE 'hostname[0-9]+=(" + addresses + ")' "
                + PEERS + "/* 2>/dev/null); do if grep -qxE '" + states + "' \"$f\"; then sed -i -E"
                + " 's/^" + states + "$/state=" + IN_CLUSTER_STATE + "/' \"$f\"; n=$((n+1)); fi; done; "
                + StorageStage.START_GLUSTERD + " && echo $n; }";
    }

    /** A server's `gluster peer status` in a line: each peer's address and state. */
    private static String describe(Map<String, String> peers) {
        return peers.isEmpty() ? "no peer" : String.join(", ", peers.entrySet().stream()
                .map(p -> p.getKey() + " as " + p.getValue()).toList());
    }

    private void rejoin(Node node, String uuid, Node reference) {
        if (!uuid.matches("[0-9a-f-]{36}")) {
            throw new BirdbathException(reference.name() + ": storage: `gluster pool list` gives " + node.name()
                    + " the UUID '" + uuid + "', which is none");
        }
        SshConnection c = run.engine().session(node);
        // its pool is empty, so nothing it knew is lost: only the identity the others know it by is given back
        StorageStage.must(c, "systemctl stop glusterd && sed -i 's/^UUID=.*/UUID=" + uuid + "/' " + INFO
                + " && grep -qx 'UUID=" + uuid + "' " + INFO + " && " + StorageStage.START_GLUSTERD);
        StorageStage.must(c, "gluster --mode=script peer probe " + reference.privateIp());
        report(node.name(), "rebuilt: its glusterd took back UUID " + uuid + " and rejoined the pool through "
                + reference.name());
    }

    private void report(String node, String what) {
        NodeCommands.report(run.out(), node, "storage", what);
    }
}
