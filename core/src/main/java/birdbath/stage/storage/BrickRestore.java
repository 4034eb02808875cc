package birdbath.stage.storage;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.host.Host;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.stage.NodeCommands;
import birdbath.stage.StageRun;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The brick of a server rebuilt behind birdbath's back ({@link StorageRejoin}), offline, or owed a heal by a run
 * that was killed: started as it is when its disk survived, or, when the disk is new, reset (reset-brick start,
 * commit force) and filled by a full heal, which is waited for.
 */
final class BrickRestore {

    /** On a server whose brick was started or reset and not yet healed full: the next `up` heals it again. */
    static final String HEAL_OWED = "/var/lib/birdbath/storage-heal-owed";

    private final StageRun run;
    private final GlusterLayout layout;

    BrickRestore(StageRun run, GlusterLayout layout) {
        this.run = run;
        this.layout = layout;
    }

    /**
     * Every brick of a rebuilt server ({@code rebuilt}), or offline, or owed a heal by a run that was killed:
     * restored by {@link #restoreBrick}.
     */
    void restore(List<String> rebuilt) {
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
            StorageStage.must(c, StorageStage.RESTART_GLUSTERD);
            // every server must see it again, not just it them: reset-brick run elsewhere fails "not connected"
            new StorageRejoin(run, layout).settle(layout.servers());
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
            Poll.until("the self-heal daemons to take a full heal", StorageRejoin.REJOIN_DEADLINE,
                    Duration.ofSeconds(2), () -> {
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
