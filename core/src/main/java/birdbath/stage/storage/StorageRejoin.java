package birdbath.stage.storage;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.host.Host;
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
 * "Fixing Peer Rejected" page, docs/upstream/glusterfs-lifecycle.md §3). Its brick then starts as it is when its
 * disk survived, or, when the disk is new, is reset (reset-brick start, commit force) and filled by a full heal.
 */
final class StorageRejoin {

    static final String INFO = "/var/lib/glusterd/glusterd.info";
    /** On a server whose brick was started or reset and not yet healed full: the next `up` heals it again. */
    static final String HEAL_OWED = "/var/lib/birdbath/storage-heal-owed";
    static final Duration REJOIN_DEADLINE = Duration.ofSeconds(90);
    static final int RESTARTS = 3;

    private final StageRun run;
    private final GlusterLayout layout;

    StorageRejoin(StageRun run, GlusterLayout layout) {
        this.run = run;
        this.layout = layout;
    }

    /** host -> UUID of `gluster pool list` on {@code c}, the node itself as "localhost". */
    static Map<String, String> pool(SshConnection c) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : StorageStage.must(c, "gluster --mode=script pool list").lines().skip(1).toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 2) {
                out.put(f[1], f[0]);
            }
        }
        return out;
    }

    /** The servers brought back into the pool, by name; empty when none was rebuilt. */
    List<String> rejoin() {
        List<Node> servers = layout.servers();
        if (servers.size() < 2) {
            return List.of();
        }
        Map<String, Map<String, String>> pools = new LinkedHashMap<>();
        for (Node s : servers) {
            pools.put(s.name(), pool(run.engine().session(s)));
        }
        // a server that knows others; a rebuilt one knows only itself
        Optional<Node> reference = servers.stream().filter(s -> pools.get(s.name()).size() > 1).findFirst();
        if (reference.isEmpty()) {
            return List.of();
        }
        Map<String, String> known = pools.get(reference.get().name());
        List<Node> rebuilt = servers.stream().filter(s -> pools.get(s.name()).size() == 1
                && known.containsKey(s.privateIp())
                && !known.get(s.privateIp()).equals(pools.get(s.name()).get("localhost"))).toList();
        for (Node s : rebuilt) {
            rejoin(s, known.get(s.privateIp()), reference.get());
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
                        + " sees every other as \"Peer in Cluster (Connected)\": " + String.join("; ", unsettled.stream()
                        .map(n -> n.name() + " sees " + seen.get(n.name())).toList()));
            }
            run.engine().onEach("restart glusterd", unsettled, c -> {
                StorageStage.must(c, "systemctl restart glusterd");
                return true;
            });
            report(unsettled.get(0).name(), "restarted glusterd on " + unsettled.stream().map(Node::name).toList()
                    + ": their handshakes with the pool were half done");
            try {
                Poll.until("the storage pool to settle", Duration.ofSeconds(30), Duration.ofSeconds(1), () ->
                        pool.stream().allMatch(n -> StorageStage.connectedPeers(run.engine().session(n))
                                >= pool.size() - 1));
                return;
            } catch (BirdbathException e) {
                // another round
            }
        }
    }

    /** `gluster peer status` in a line: each peer's address and state. */
    private static String peerStates(SshConnection c) {
        List<String> states = new java.util.ArrayList<>();
        String host = null;
        for (String line : c.exec("gluster --mode=script peer status").out().lines().toList()) {
            if (line.startsWith("Hostname: ")) {
                host = line.substring("Hostname: ".length()).strip();
            } else if (line.startsWith("State: ") && host != null) {
                states.add(host + " as " + line.substring("State: ".length()).strip());
            }
        }
        return states.isEmpty() ? "no peer" : String.join(", ", states);
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

    /**
     * Every brick of a rebuilt server ({@code rebuilt}), or offline, or owed a heal by a run that was killed:
     * restored by {@link #restoreBrick}.
     */
    void restoreBricks(List<String> rebuilt) {
        if (!layout.replicated()) {
            return;
        }
        Map<String, Boolean> online = GlusterStatus.bricks(run.engine().session(layout.servers().get(0)));
        Map<String, String> owed = run.engine().onEach("storage heal owed", layout.brickNodes(), c -> c.exec("test -e "
                + HEAL_OWED + " && echo owed; true").out().strip());
        for (String brick : layout.bricks()) {
            Node node = layout.owner(brick);
            if (rebuilt.contains(node.name()) || !Boolean.TRUE.equals(online.get(brick))
                    || "owed".equals(owed.get(node.name()))) {
                restoreBrick(node, brick);
            }
        }
    }

    /**
     * A brick online and as full as the others of its set: started as it is when its disk kept the brick (a
     * volume-id mark), else reset (its disk is new and empty); then a full heal, waited for until nothing is
     * pending and the brick holds at least the entries a sibling held when the heal began.
     */
    private void restoreBrick(Node node, String brick) {
        SshConnection first = run.engine().session(layout.servers().stream().filter(n -> n != node).findFirst()
                .orElseThrow());
        SshConnection c = run.engine().session(node);
        String dir = brick.substring(brick.indexOf(':') + 1);
        String vol = GlusterLayout.VOLUME;
        StorageStage.must(c, "touch " + HEAL_OWED);
        boolean kept = c.exec("getfattr -n trusted.glusterfs.volume-id " + dir + " >/dev/null 2>&1").ok();
        boolean online = Boolean.TRUE.equals(GlusterStatus.bricks(first).get(brick));
        if (kept) {
            if (!online) {
                StorageStage.must(first, "gluster --mode=script volume start " + vol + " force");
            }
            report(node.name(), "its brick kept its data" + (online ? "" : ": started it"));
        } else {
            // never a brick on the root filesystem under an unmounted brick filesystem
            StorageStage.must(c, (dir.startsWith(GlusterLayout.BRICK_MOUNT + "/") ? "mountpoint -q "
                    + GlusterLayout.BRICK_MOUNT + " && " : "") + "mkdir -p " + dir);
            // glusterd knows where its own brick really is (real_path) only from its store, read at start;
            // after a volume came from a peer it is empty, and reset-brick takes the brick for a new one
            StorageStage.must(c, "systemctl restart glusterd");
            Poll.until(node.name() + "'s glusterd to rejoin the pool", REJOIN_DEADLINE, Duration.ofSeconds(1),
                    () -> StorageStage.connectedPeers(c) >= layout.servers().size() - 1);
            StorageStage.must(first, "gluster --mode=script volume reset-brick " + vol + " " + brick + " start");
            StorageStage.must(first, "gluster --mode=script volume reset-brick " + vol + " " + brick + " "
                    + brick + " commit force");
            report(node.name(), "its brick is new and empty: reset it (reset-brick) for a full heal");
        }
        Node sibling = layout.bricks().stream().map(layout::owner).filter(n -> n != node && layout.brickNodes()
                .contains(n)).findFirst().orElse(null);
        long target = sibling == null ? 0 : entries(run.engine().session(sibling), dir);
        // the self-heal daemon of a node whose glusterd just (re)started takes a moment to run
        String[] refused = {""};
        try {
            Poll.until("the self-heal daemons to take a full heal", REJOIN_DEADLINE, Duration.ofSeconds(2), () -> {
                Host.Result r = first.exec("gluster --mode=script volume heal " + vol + " full");
                refused[0] = Host.tail(r.err().isBlank() ? r.out() : r.err());
                return r.ok();
            });
        } catch (BirdbathException e) {
            throw new BirdbathException(first.node() + ": storage: `gluster volume heal " + vol + " full` keeps"
                    + " failing: " + refused[0]);
        }
        report(node.name(), "full heal started: its brick is filled from the others of its set");
        long start = System.nanoTime();
        long[] nextReport = {start + Migration.REPORT_EVERY.toNanos()};
        Poll.until("the full heal of " + brick, Migration.DEADLINE, Migration.POLL, () -> {
            long have = entries(c, dir);
            long pending = GlusterStatus.pendingHeals(first);
            if (System.nanoTime() > nextReport[0]) {
                report(node.name(), "healing: " + have + " of " + target + " entries, " + pending + " pending");
                nextReport[0] = System.nanoTime() + Migration.REPORT_EVERY.toNanos();
            }
            return pending == 0 && have >= target;
        });
        StorageStage.must(c, "rm -f " + HEAL_OWED);
        report(node.name(), "healed: its brick holds what the others do");
    }

    /** Files and directories on a brick, gluster's own metadata left out. */
    private static long entries(SshConnection c, String dir) {
        String n = StorageStage.must(c, "find " + dir + " -path " + dir + "/.glusterfs -prune -o -print | wc -l");
        return Long.parseLong(n.strip());
    }

    private void report(String node, String what) {
        NodeCommands.report(run.out(), node, "storage", what);
    }
}
