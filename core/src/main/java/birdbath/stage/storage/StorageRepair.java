package birdbath.stage.storage;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.stage.StageRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The original's storage runbooks, automated: glusterd or a brick filesystem not running (after an unplanned
 * reboot), servers that do not all see each other in the pool ({@link StorageRejoin#settle}), brick processes
 * down (`volume start force`, then heal and wait), and dead FUSE mounts ("Transport endpoint is not connected":
 * lazy unmount, mount again). Says what it fixed; fixes nothing that works.
 */
public final class StorageRepair {

    static final Duration BRICKS_DEADLINE = Duration.ofSeconds(60);
    static final Duration HEAL_DEADLINE = Duration.ofMinutes(10);

    private final StageRun run;
    private final GlusterLayout layout;

    public StorageRepair(StageRun run) {
        this.run = run;
        this.layout = GlusterLayout.of(run.nodes());
        if (layout.servers().isEmpty()) {
            throw new BirdbathException("this cluster has no storage nodes (storage.nodes is 0)");
        }
    }

    /** One line per fix, in the order done; empty when everything worked. */
    public List<String> repair() {
        List<String> fixed = Collections.synchronizedList(new ArrayList<>());
        run.engine().onEach("repair storage servers", layout.servers(), c -> {
            boolean brickNode = layout.brickNodes().stream().anyMatch(n -> n.name().equals(c.node()));
            if (brickNode && !c.exec("mountpoint -q " + GlusterLayout.BRICK_MOUNT).ok()) {
                StorageStage.must(c, "systemctl start " + StorageStage.BRICK_UNIT);
                fixed.add(c.node() + ": brick filesystem was not mounted: mounted it");
            }
            if (!c.exec("systemctl is-active --quiet glusterd").ok()) {
                StorageStage.must(c, StorageStage.START_GLUSTERD);
                fixed.add(c.node() + ": glusterd was not running: started it");
            }
            return true;
        });
        SshConnection first = run.engine().session(layout.servers().get(0));
        // only servers the pool already holds: one not probed yet or rebuilt is `up`'s work, and counting it would
        // restart healthy servers' glusterd (and their bricks) for nothing
        java.util.Set<String> pool = GlusterStatus.pool(first).keySet();
        List<Node> members = layout.servers().stream().filter(n -> n == layout.servers().get(0)
                || pool.contains(n.privateIp())).toList();
        try {
            fixed.addAll(new StorageRejoin(run, layout).settle(members));
        } catch (BirdbathException e) {
            // the bricks and mounts may still be repairable; check names what stays wrong
            run.out().warn(e.getMessage() + "; `birdbath up` brings a rebuilt server back");
        }
        List<String> offline = GlusterStatus.offline(first, layout.bricks());
        if (!offline.isEmpty()) {
            StorageStage.must(first, "gluster --mode=script volume start " + GlusterLayout.VOLUME + " force");
            Poll.until("bricks " + offline + " to come online", BRICKS_DEADLINE, Duration.ofMillis(500),
                    () -> GlusterStatus.offline(first, layout.bricks()).isEmpty());
            fixed.add("bricks " + offline + " were offline: started them (volume start force)");
        }
        if (layout.replicated()) {
            long pending = GlusterStatus.pendingHeals(first);
            if (pending != 0 || !offline.isEmpty()) {
                // a brick just started may refuse the heal command for a moment; the self-heal daemon heals anyway
                int[] round = {0};
                Poll.until("self-heal of " + GlusterLayout.VOLUME + " to finish", HEAL_DEADLINE,
                        Duration.ofSeconds(1), () -> {
                            if (round[0]++ % 5 == 0) {
                                first.exec("gluster --mode=script volume heal " + GlusterLayout.VOLUME);
                            }
                            return GlusterStatus.pendingHeals(first) == 0;
                        });
                fixed.add("self-heal triggered and finished (" + (pending < 0 ? "a brick had been down"
                        : pending + " entries were pending") + ")");
            }
        }
        Map<String, String> mounts = run.engine().onEach("repair storage mounts", run.nodes(), c -> {
            String why = StorageStage.probeMount(c);
            if (why.isEmpty()) {
                return "";
            }
            // lazy: processes holding the dead mount must not block the unmount
            c.exec("umount -l " + StorageStage.MOUNT);
            StorageStage.must(c, "systemctl reset-failed " + StorageStage.MOUNT_UNIT + "; systemctl restart "
                    + StorageStage.MOUNT_UNIT);
            String after = StorageStage.probeMount(c);
            if (!after.isEmpty()) {
                throw new BirdbathException(c.node() + ": " + StorageStage.MOUNT + " still fails after a remount: "
                        + after);
            }
            return c.node() + ": mount " + StorageStage.MOUNT + " was broken (" + why + "): unmounted and mounted"
                    + " it again";
        });
        for (Node n : run.nodes()) {
            String line = mounts.getOrDefault(n.name(), "");
            if (!line.isEmpty()) {
                fixed.add(line);
            }
        }
        return fixed;
    }
}
