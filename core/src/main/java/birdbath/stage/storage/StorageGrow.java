package birdbath.stage.storage;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.stage.NodeCommands;
import birdbath.stage.StageRun;
import java.time.Duration;
import java.util.List;

/**
 * Growing the volume by whole replica sets (storage.nodes 3 -> 6): the new bricks appended with add-brick,
 * then a rebalance that spreads the existing files over all sets. Until the rebalance has finished, new files
 * in old directories would still land on the old sets only, so a volume option records the brick count the last
 * finished rebalance covered; a rebalance killed half-way is found running or started again by the next `up`.
 */
final class StorageGrow {

    /** The brick count the last finished rebalance covered (gluster keeps user.* options for tools like this). */
    static final String BALANCED = "user.birdbath.balanced-bricks";
    static final String VOL = GlusterLayout.VOLUME;
    static final Duration BRICKS_ONLINE = Duration.ofMinutes(2);
    static final Duration HEALTHY = Duration.ofSeconds(60);

    private final StageRun run;
    private final SshConnection first;

    StorageGrow(StageRun run, SshConnection first) {
        this.run = run;
        this.first = first;
    }

    /** The volume given the layout's bricks, when that means adding whole sets; refused when it means removing. */
    void converge(GlusterStatus.Volume volume, GlusterLayout layout) {
        VolumeReshape reshape = VolumeReshape.between(volume, layout);
        if (!reshape.remove().isEmpty()) {
            throw new BirdbathException("storage: volume " + VOL + " still has bricks " + reshape.remove()
                    + " that the config leaves out; `birdbath up --yes` moves their data to the other bricks and"
                    + " then removes them");
        }
        GlusterStatus.Volume now = volume;
        if (!reshape.add().isEmpty()) {
            recordBalanced(volume);
            add(volume, layout, reshape.add());
            now = StorageStage.volume(first);
        }
        rebalance(now);
    }

    /**
     * Records the volume as balanced where nothing can be unbalanced (one set) or where no birdbath has said
     * otherwise (a volume made before this option), so that {@link #balanced} reads it so from then on.
     */
    void recordBalanced(GlusterStatus.Volume volume) {
        String said = volume.options().get(BALANCED);
        int count = volume.bricks().size();
        if (said == null || oneSet(volume) && !said.equals(String.valueOf(count))) {
            StorageStage.must(first, "gluster --mode=script volume set " + VOL + " " + BALANCED + " " + count);
        }
    }

    private static boolean oneSet(GlusterStatus.Volume volume) {
        return volume.bricks().size() <= Math.max(volume.replica(), 1);
    }

    /** True when no rebalance is owed: one set, or the last finished one covered every brick (or none was owed). */
    static boolean balanced(GlusterStatus.Volume volume) {
        String said = volume.options().get(BALANCED);
        return oneSet(volume) || said == null || said.equals(String.valueOf(volume.bricks().size()));
    }

    /** add-brick of the new sets, after checking that moving data now is safe. */
    void add(GlusterStatus.Volume volume, GlusterLayout layout, List<String> bricks) {
        requireHealthy(volume, "adding bricks");
        for (String brick : bricks) {
            Node owner = layout.owner(brick);
            SshConnection c = run.engine().session(owner);
            // a brick directory left from an earlier shrink still carries gluster's marks, and add-brick refuses
            // it (glusterd_is_path_in_use, v10.3); its data had moved off, but it is kept aside, not deleted
            String dir = GlusterLayout.BRICK_DIR;
            if (c.exec("getfattr -d -m '^trusted\\.(gfid|glusterfs\\.volume-id)$' " + dir + " 2>/dev/null"
                    + " | grep -q trusted").ok()) {
                String aside = GlusterLayout.BRICK_MOUNT + "/removed-$(date +%Y%m%d%H%M%S)";
                String moved = StorageStage.must(c, "d=" + aside + "; mv " + dir + " \"$d\" && mkdir " + dir
                        + " && echo \"$d\"").strip();
                report(owner.name(), "brick directory from an earlier volume kept aside as " + moved);
            }
        }
        StorageStage.must(first, "gluster --mode=script volume add-brick " + VOL + " " + layout.type() + " "
                + String.join(" ", bricks));
        report(first.node(), "added bricks " + bricks + " (" + layout.type() + ")");
        // a new brick counts as online once glusterd has connected to it, a moment after add-brick returns
        Poll.until("the new bricks " + bricks + " to come online", BRICKS_ONLINE, Duration.ofSeconds(1), () ->
                GlusterStatus.offline(first, bricks).isEmpty());
    }

    /** Spreads the files over every set unless the last finished rebalance already covered this many bricks. */
    void rebalance(GlusterStatus.Volume volume) {
        int count = volume.bricks().size();
        recordBalanced(volume);
        if (balanced(volume)) {
            return;
        }
        String status = "gluster --mode=script volume rebalance " + VOL + " status --xml";
        boolean running = Migration.ask(first, status).task().filter(GlusterStatus.Task::running).isPresent();
        if (!running) {
            requireHealthy(volume, "rebalancing");
            StorageStage.must(first, "gluster --mode=script volume rebalance " + VOL + " start");
        }
        report(first.node(), running ? "waiting for the rebalance that was already running" : "rebalance started");
        GlusterStatus.Task done = Migration.await(run, first, "rebalance", status);
        if (!done.done()) {
            throw new BirdbathException(first.node() + ": storage: the rebalance over " + count + " bricks ended "
                    + Migration.progress(done) + ". Every file is still readable (one that could not move stays"
                    + " where it was); /var/log/glusterfs/" + VOL + "-rebalance.log on the servers says why, and"
                    + " `birdbath up` runs it again");
        }
        StorageStage.must(first, "gluster --mode=script volume set " + VOL + " " + BALANCED + " " + count);
        report(first.node(), "rebalanced: " + Migration.progress(done));
        if (done.failures() + done.skipped() > 0) {
            // a rebalance skips files by design (hard links, files with POSIX locks, a fuller destination); new
            // files spread over every set all the same, and the skipped ones stay readable where they are
            run.out().warn("storage: the rebalance left " + (done.failures() + done.skipped()) + " files on the"
                    + " sets they were on (hard links, locked or busy files); they are readable, and a later"
                    + " `gluster volume rebalance " + VOL + " start` may move them");
        }
    }

    /**
     * Refuses to move data while a brick is down or entries wait for self-heal: a migration then fails with EIO
     * or splits files (glusterfs issue #1303).
     */
    void requireHealthy(GlusterStatus.Volume volume, String doing) {
        String[] why = {""};
        try {
            // a file being written counts as an entry for a moment: only what stays counts
            Poll.until("the volume to be healthy", HEALTHY, Duration.ofSeconds(2), () -> {
                List<String> offline = GlusterStatus.offline(first, volume.bricks());
                long pending = offline.isEmpty() ? GlusterStatus.pendingHeals(first) : 0;
                why[0] = !offline.isEmpty() ? "bricks " + offline + " are offline" : pending > 0 ? pending
                        + " entries wait for self-heal" : pending < 0 ? "a brick cannot say what it has to heal" : "";
                return why[0].isEmpty();
            });
        } catch (BirdbathException e) {
            throw new BirdbathException("storage: not " + doing + " while " + why[0] + " (for "
                    + HEALTHY.toSeconds() + " s): moving data then can fail or split files. Run `birdbath repair"
                    + " storage`, then `birdbath up` again");
        }
    }

    private void report(String node, String what) {
        NodeCommands.report(run.out(), node, "storage", what);
    }
}
