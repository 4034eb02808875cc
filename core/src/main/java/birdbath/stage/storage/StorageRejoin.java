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
    static final Duration REJOIN_DEADLINE = Duration.ofSeconds(90);
    static final int RESTARTS = 3;

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
        return rebuilt.stream().map(Node::name).toList();
    }

    /**
     * Every server of the pool sees every other "Peer in Cluster (Connected)". A rejoin cut short (a killed `up`)
     * can leave a handshake half done ("Accepted peer request"); restarting glusterd redoes its handshakes and
     * leaves the bricks running (the "Fixing Peer Rejected" page: restart "another time or two"). At most
     * {@link #RESTARTS} rounds.
     */
    private void settle(List<Node> pool) {
        for (int round = 0; ; round++) {
            Map<String, String> counts = run.engine().onEach("storage pool", pool, c ->
                    String.valueOf(StorageStage.connectedPeers(c)));
            List<Node> unsettled = pool.stream().filter(n -> Integer.parseInt(counts.get(n.name())) < pool.size() - 1)
                    .toList();
            if (unsettled.isEmpty()) {
                return;
            }
            if (round == RESTARTS) {
                Map<String, String> seen = run.engine().onEach("storage pool", unsettled, StorageRejoin::peerStates,
                        (n, e) -> e.getMessage());
                throw new BirdbathException("storage: after " + RESTARTS + " restarts of glusterd, not every server"
                        + " sees every other as \"" + StorageStage.PEER_IN_CLUSTER + "\": " + String.join("; ",
                        unsettled.stream().map(n -> n.name() + " sees " + seen.get(n.name())).toList()));
            }
            run.engine().onEach("restart glusterd", unsettled, c -> {
                StorageStage.must(c, "systemctl restart glusterd");
                return true;
            });
            report(unsettled.get(0).name(), "restarted glusterd on " + unsettled.stream().map(Node::name).toList()
                    + ": their handshakes with the pool were half done");
            try {
                Poll.until("the storage pool to settle", Duration.ofSeconds(30), Duration.ofSeconds(1), () ->
                        StorageStage.poolSettled(run, pool));
                return;
            } catch (BirdbathException e) {
                // another round
            }
        }
    }

    /** `gluster peer status` in a line: each peer's address and state. */
    private static String peerStates(SshConnection c) {
        Map<String, String> peers = StorageStage.peers(c);
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
                + " && grep -qx 'UUID=" + uuid + "' " + INFO + " && systemctl start glusterd");
        StorageStage.must(c, "gluster --mode=script peer probe " + reference.privateIp());
        report(node.name(), "rebuilt: its glusterd took back UUID " + uuid + " and rejoined the pool through "
                + reference.name());
        int others = layout.servers().size() - 1;
        boolean[] restarted = {false};
        long start = System.nanoTime();
        Poll.until(node.name() + " to see every peer and the volume", REJOIN_DEADLINE, Duration.ofSeconds(1), () -> {
            boolean done = StorageStage.connectedPeers(c) >= others && GlusterStatus.volume(c).isPresent();
            // the others' addresses reach it from the first peer; a restart makes it connect to all of them
            if (!done && !restarted[0] && System.nanoTime() - start > Duration.ofSeconds(20).toNanos()) {
                c.exec("systemctl restart glusterd");
                restarted[0] = true;
            }
            return done;
        });
    }

    private void report(String node, String what) {
        NodeCommands.report(run.out(), node, "storage", what);
    }
}
