package birdbath.stage.storage;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.host.Host;
import birdbath.config.ClusterSpec;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.remote.SshConnector;
import birdbath.stage.NodeCommands;
import birdbath.stage.StageRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Shrinking the volume before `up --yes` removes nodes or volumes: the bricks the config leaves out (whole
 * replica sets, at the end) have their data moved to the others (remove-brick start, wait, commit), their
 * bricks are checked for files that did not move, and the servers that leave are detached from the pool. Each
 * step is found done or half-done by the next run, so a killed `up` is finished by the next one; where moving
 * the data is not safe or possible it refuses, and then nothing has been removed.
 */
public final class StorageShrink {

    static final String VOL = GlusterLayout.VOLUME;
    /** glusterfs keeps cluster.min-free-disk (10 %) free; a migration into fuller bricks fails file by file. */
    static final double FILL_LIMIT = 0.9;

    private final StageRun run;
    private final GlusterLayout before;
    private final GlusterLayout after;

    private StorageShrink(StageRun run, List<Node> staying) {
        this.run = run;
        this.before = GlusterLayout.of(run.nodes());
        this.after = GlusterLayout.of(staying);
    }

    /** The nodes as they are after `up`: those within cluster.nodes, with the roles the config now gives them. */
    public static List<Node> staying(ClusterSpec spec, List<Node> current) {
        return current.stream().filter(n -> n.index() <= spec.nodes()).map(n -> new Node(n.name(), n.index(),
                spec.roles(n.index()), n.publicIp(), n.privateIp(), n.fqdn(), n.storageDevice(), n.ssh(),
                n.providerId())).toList();
    }

    /** Whether `up` would take bricks or servers away, as far as the state file tells (no node is asked). */
    public static boolean needed(List<Node> current, List<Node> staying) {
        GlusterLayout now = GlusterLayout.of(current);
        GlusterLayout then = GlusterLayout.of(staying);
        return !names(then.servers()).containsAll(names(now.servers())) || !then.bricks().containsAll(now.bricks());
    }

    /** {@code run} works on the nodes as they are now; {@code staying} are those of {@link #staying}. */
    public static void drain(StageRun run, List<Node> staying) {
        new StorageShrink(run, staying).drain();
    }

    private void drain() {
        if (after.servers().isEmpty()) {
            throw new BirdbathException("storage: storage.nodes 0 would remove every brick of volume " + VOL
                    + " and the data on it; birdbath does not remove the last storage node (`birdbath down` removes"
                    + " the whole cluster)");
        }
        SshConnection first = run.engine().session(after.servers().get(0));
        Optional<GlusterStatus.Volume> volume = GlusterStatus.volume(first);
        if (volume.isPresent()) {
            VolumeReshape reshape = VolumeReshape.between(volume.get(), after);
            if (!reshape.remove().isEmpty()) {
                migrate(first, volume.get(), reshape.remove());
            }
        }
        // every brick the volume had and will not have, whatever its node does next: the final gate (a node that
        // no longer answers was removed by a run killed half-way, after this gate had passed)
        List<String> removed = before.bricks().stream().filter(b -> !after.bricks().contains(b)).toList();
        List<String> left = leftovers(removed, true);
        if (!left.isEmpty()) {
            throw new BirdbathException("storage: files are still on bricks removed from the volume (" + String.join(
                    ", ", left) + "); removing their nodes or volumes would lose them. Copy each into the volume"
                    + " through " + StorageStage.MOUNT + " (`birdbath ssh NODE cp -a ...`), delete it from the"
                    + " brick, and run `birdbath up --yes` again; nothing was removed");
        }
        detachLeavingServers(first);
    }

    /**
     * remove-brick start (unless it runs or ran), wait, look for files that did not move, commit. A migration
     * that failed, was stopped, or left files behind is started again once; a task for other bricks (a killed run
     * of another config) is stopped first.
     */
    private void migrate(SshConnection first, GlusterStatus.Volume volume, List<String> bricks) {
        List<String> other = GlusterStatus.removeBrickTask(first);
        if (!other.isEmpty() && !new java.util.HashSet<>(other).equals(new java.util.HashSet<>(bricks))) {
            stop(first, other);
            report(first.node(), "stopped an earlier move off " + other + " (for another config)");
        }
        String removeBrick = removeBrick(bricks);
        Optional<GlusterStatus.Task> task = Migration.ask(first, removeBrick + " status --xml").task();
        for (int attempt = 0; ; attempt++) {
            if (task.isPresent() && !task.get().running() && !task.get().clean()) {
                report(first.node(), "the move off " + bricks + " ended " + Migration.progress(task.get())
                        + ": starting it again");
                stop(first, bricks);
                task = Optional.empty();
            }
            if (task.isEmpty()) {
                new StorageGrow(run, first).requireHealthy(volume, "moving data off " + bricks);
                requireRoom(bricks);
                StorageStage.must(first, removeBrick + " start");
                report(first.node(), "moving the data off " + bricks + " to the other bricks (remove-brick start)");
            } else if (task.get().running()) {
                report(first.node(), "waiting for the move off " + bricks + " that was already running");
            }
            GlusterStatus.Task done = Migration.await(run, first, "moving data off the leaving bricks",
                    removeBrick + " status --xml");
            List<String> left = done.clean() ? leftovers(bricks, false) : List.of();
            if (done.clean() && left.isEmpty()) {
                StorageStage.must(first, removeBrick + " commit");
                StorageStage.must(first, "gluster --mode=script volume set " + VOL + " " + StorageGrow.BALANCED
                        + " " + (volume.bricks().size() - bricks.size()));
                report(first.node(), "bricks " + bricks + " removed from the volume: " + Migration.progress(done));
                return;
            }
            if (attempt == 1) {
                throw new BirdbathException(first.node() + ": storage: moving the data off " + bricks + " ended "
                        + Migration.progress(done) + (left.isEmpty() ? "" : " leaving files behind (" + String.join(
                        ", ", left) + ")") + ", twice; nothing was removed and every file is still in the volume."
                        + " Files written to while they were moved are the usual cause (cluster.force-migration is"
                        + " off); /var/log/glusterfs/" + VOL + "-rebalance.log on the servers names them. `birdbath"
                        + " up --yes` tries again");
            }
            task = Optional.of(left.isEmpty() ? done : new GlusterStatus.Task(GlusterStatus.Task.FAILED,
                    "files left behind", done.files(), done.bytes(), left.size(), 0, done.seconds()));
        }
    }

    /** `gluster volume remove-brick VOL BRICKS`, to which start, status --xml, stop or commit is added. */
    private static String removeBrick(List<String> bricks) {
        return "gluster --mode=script volume remove-brick " + VOL + " " + String.join(" ", bricks);
    }

    private void stop(SshConnection first, List<String> bricks) {
        Host.Result r = first.exec(removeBrick(bricks) + " stop");
        if (!r.ok() && !(r.out() + r.err()).contains("not started")) {
            throw new BirdbathException(first.node() + ": storage: cannot stop the move off " + bricks + ": "
                    + Host.tail(r.err().isBlank() ? r.out() : r.err()));
        }
        // stopping lets the file being moved finish; a start before the process ends is refused
        Poll.until("the stopped move off " + bricks + " to end", Migration.UNSURE, Migration.POLL, () ->
                GlusterStatus.removeBrickTask(first).isEmpty());
    }

    /**
     * Files on these bricks that are not gluster's own: a brick drained by a remove-brick holds only directories,
     * its .glusterfs metadata and zero-size mode-01000 link files (dht-rebalance.c unlinks each file it moved).
     * Anything else did not move. "node:path" of at most five per brick; fails when a brick cannot be read.
     */
    private List<String> leftovers(List<String> bricks, boolean goneIsDone) {
        List<String> out = new ArrayList<>();
        List<Node> owners = bricks.stream().map(before::owner).distinct().toList();
        Map<String, String> found = run.engine().onEach("storage leftovers", owners, c -> {
            StringBuilder files = new StringBuilder();
            for (String brick : bricks.stream().filter(b -> before.owner(b).name().equals(c.node())).toList()) {
                String dir = brick.substring(brick.indexOf(':') + 1);
                files.append(StorageStage.must(c, "test -d " + dir + " || exit 0; f=$(mktemp); find " + dir
                        + " -path " + dir + "/.glusterfs -prune -o ! -type d ! \\( -type f -size 0 -perm 1000 \\)"
                        + " -print > \"$f\"; rc=$?; head -5 \"$f\"; rm -f \"$f\"; exit $rc"));
            }
            return files.toString();
        }, (node, e) -> {
            if (!goneIsDone || !SshConnector.unreachable(e)) {
                throw e;
            }
            run.out().warn("storage: " + node.name() + " does not answer; its brick was checked before it went");
            return "";
        });
        for (Node n : owners) {
            found.getOrDefault(n.name(), "").lines().filter(l -> !l.isBlank()).forEach(l -> out.add(n.name() + ":"
                    + l));
        }
        return out;
    }

    /**
     * Refuses when the data on the leaving sets (the fullest brick of each) would fill the staying sets (the
     * emptiest room of each) beyond {@link #FILL_LIMIT}.
     */
    private void requireRoom(List<String> leaving) {
        List<Node> owners = before.servers();
        Map<String, String> df = run.engine().onEach("storage room", owners, c -> c.exec("df -B1 --output=used,size "
                + GlusterLayout.BRICK_MOUNT + " 2>/dev/null | tail -1").out().strip());
        int replica = after.replica();
        long moving = 0;
        long room = 0;
        List<String> all = new ArrayList<>(after.bricks());
        all.addAll(leaving);
        for (int set = 0; set < all.size(); set += replica) {
            long used = 0;
            long free = Long.MAX_VALUE;
            for (String brick : all.subList(set, Math.min(set + replica, all.size()))) {
                String[] f = df.getOrDefault(before.owner(brick).name(), "").split("\\s+");
                long u = f.length == 2 ? Long.parseLong(f[0]) : 0;
                long size = f.length == 2 ? Long.parseLong(f[1]) : 0;
                used = Math.max(used, u);
                free = Math.min(free, (long) (size * FILL_LIMIT) - u);
            }
            if (set < after.bricks().size()) {
                room += Math.max(free, 0);
            } else {
                moving += used;
            }
        }
        if (moving > room) {
            throw new BirdbathException(String.format(Locale.ROOT, "storage: the leaving bricks %s hold %.1f GB and"
                    + " the bricks that stay have room for %.1f GB (up to %.0f %% full): the data would not fit."
                    + " Raise storage.volume_size_gb first, or keep storage.nodes; nothing was removed", leaving,
                    moving / 1e9, room / 1e9, FILL_LIMIT * 100));
        }
    }

    private void detachLeavingServers(SshConnection first) {
        Set<String> pool = GlusterStatus.pool(first).keySet();
        List<String> stay = names(after.servers());
        for (Node n : before.servers()) {
            if (!stay.contains(n.name()) && pool.contains(n.privateIp())) {
                // force: detached although another leaving server is already gone; glusterd still refuses a
                // server that holds a brick (glusterd-handler.c, v10.3)
                StorageStage.must(first, "gluster --mode=script peer detach " + n.privateIp() + " force");
                report(first.node(), "detached " + n.name() + " (" + n.privateIp() + ") from the storage pool");
            }
        }
    }

    private static List<String> names(List<Node> nodes) {
        return nodes.stream().map(Node::name).toList();
    }

    private void report(String node, String what) {
        NodeCommands.report(run.out(), node, "storage", what);
    }
}
