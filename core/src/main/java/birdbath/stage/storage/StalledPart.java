package birdbath.stage.storage;

import birdbath.BirdbathException;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.stage.NodeCommands;
import birdbath.stage.StageRun;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A server whose glusterd says its part of a rebalance or remove-brick still runs while no migration process runs
 * there. Seen in a full test run (glusterfs 10.3): the process logged "Rebalance is completed", glusterd logged
 * "received defrag status updated" and the disconnect, and still reported "in progress" 25 minutes later, so the
 * task never ended. Restarting that glusterd makes it start its part again from its store (node_state.info still
 * says started), which then finishes and reports (seen by hand on the same cluster: completed in 11 s). One server
 * at a time, its bricks back before the wait goes on, at most {@link #RESTARTS} times per server.
 */
final class StalledPart {

    /** Longer than any gap between a process's end and glusterd's update of its status (milliseconds). */
    static final Duration STALLED = Duration.ofSeconds(60);
    static final int RESTARTS = 3;
    /**
     * A migration process of the volume (glusterd starts rebalance and remove-brick moves with --volfile-id
     * rebalance/VOL); the bracket keeps the pattern from matching the shell that runs pgrep.
     */
    private static final String PROCESS = "pgrep -f -- '--volfile-id rebalance/[" + GlusterLayout.VOLUME.charAt(0)
            + "]" + GlusterLayout.VOLUME.substring(1) + "( |$)' >/dev/null";

    private final StageRun run;
    private final SshConnection asked;
    private final String what;
    private final Map<String, Long> idleSince = new HashMap<>();
    private final Map<String, Integer> restarts = new HashMap<>();

    StalledPart(StageRun run, SshConnection asked, String what) {
        this.run = run;
        this.asked = asked;
        this.what = what;
    }

    /** Looks at each server {@code xml} says still runs its part; restarts glusterd on one that has stalled. */
    void watch(String xml, long now) {
        List<String> running = GlusterStatus.runningOn(xml);
        idleSince.keySet().retainAll(running);
        for (String name : running) {
            Node server = server(name);
            if (server == null) {
                continue;
            }
            SshConnection c = run.engine().session(server);
            if (c.exec(PROCESS).ok()) {
                idleSince.remove(name);
                continue;
            }
            long since = idleSince.computeIfAbsent(name, k -> now);
            if (now - since >= STALLED.toNanos()) {
                restart(server, c);
                idleSince.remove(name);
                return;
            }
        }
    }

    private void restart(Node server, SshConnection c) {
        int n = restarts.merge(server.name(), 1, Integer::sum);
        if (n > RESTARTS) {
            throw new BirdbathException(server.name() + ": storage: glusterd still says its part of the " + what
                    + " runs, with no migration process there, after " + RESTARTS + " restarts;"
                    + " /var/log/glusterfs/glusterd.log on it says why, and `birdbath up` waits for it again");
        }
        // read before the restart, while its glusterd answers; a leaving server's bricks count too
        List<String> own = GlusterLayout.on(server, GlusterStatus.bricks(c).keySet());
        StorageStage.must(c, StorageStage.RESTART_GLUSTERD);
        // its bricks stopped with glusterd (Debian's unit): back before the wait goes on
        StorageStage.bricksBack(c, server.name(), own);
        NodeCommands.report(run.out(), server.name(), "storage", "glusterd said its part of the " + what + " still"
                + " ran, but no migration process had run there for " + STALLED.toSeconds() + " s: restarted it, and"
                + " it runs its part again");
    }

    /** The node the asked server names {@code name}: a peer's private address, or itself as "localhost". */
    private Node server(String name) {
        return run.nodes().stream().filter(n -> name.equals("localhost") ? n.name().equals(asked.node())
                : n.privateIp().equals(name)).findFirst().orElse(null);
    }
}
