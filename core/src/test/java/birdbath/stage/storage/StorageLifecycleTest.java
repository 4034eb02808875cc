package birdbath.stage.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.Poll;
import birdbath.provider.Node;
import birdbath.stage.CheckResult;
import birdbath.testing.KilledUp;
import birdbath.testing.LocalTestCluster;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * cluster.nodes 3 -> 6 -> 3 on real local nodes with real GlusterFS, each change killed twice (SIGKILL, `up` in
 * its own JVM) and finished by a third `up`: the grow right after its add-brick and again during the rebalance,
 * the shrink during the remove-brick's migration and again right after its commit. Files written before and
 * during each change are all there afterwards, byte for byte (sha256), on every node; `check` is green. Then the
 * changes birdbath refuses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class StorageLifecycleTest {

    private static final String MNT = StorageStage.MOUNT;
    /** Sums of the files written before any change, as node 1 wrote them. */
    private String before;
    private String config;
    /** Files node 1 wrote during the shrink: still there after the nodes are rebuilt. */
    private int shrinkWritten;
    private LocalTestCluster cluster;

    @BeforeAll
    void cluster() throws Exception {
        cluster = new LocalTestCluster("g", "");
        config = Files.readString(cluster.config);
        cluster.birdbath().up(List.of(), null, false);
        // 40 files of 50 kB to 2 MB (41 MB): enough that the rebalance and the migration take some seconds
        cluster.run(cluster.node(1), "mkdir -p " + MNT + "/before " + MNT + "/during && for i in $(seq 1 40); do"
                + " head -c $((i * 50000)) /dev/urandom > " + MNT + "/before/f$i; done");
        before = sums(cluster.node(1));
        assertThat(before.lines()).hasSize(40);
    }

    @AfterAll
    void removeEverything() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private String sums(String node) {
        return cluster.run(node, "cd " + MNT + " && find before -type f | sort | xargs sha256sum");
    }

    /** cluster.nodes n; at 6, five of them etcd members (the shrink must take two out before their nodes go). */
    private void nodes(int n) throws Exception {
        Files.writeString(cluster.config, config.replace("nodes: 3", "nodes: " + n)
                + (n == 6 ? "etcd:\n  members: 5\n" : ""));
    }

    /**
     * Node 1 writes a new file every second (at most 1200) until told to stop; failed writes are listed. (Each
     * small file costs the migration a few tenths of a second on these loaded 2 cores: not more of them.)
     */
    private void startWriter(String tag) {
        cluster.run(cluster.node(1), "rm -rf /root/stop-writer /root/writer-done /root/writer-failures " + MNT
                + "/during/*; setsid -f sh -c 'i=0; while [ $i -lt 1200 ] && [ ! -e /root/stop-writer ]; do i=$((i+1));"
                + " printf \"" + tag + " %d\\n\" $i > " + MNT + "/during/" + tag + "$i || echo $i >> /root/writer-failures;"
                + " sleep 1; done; touch /root/writer-done' </dev/null >/dev/null 2>&1");
    }

    /** Stops the writer; returns how many files it wrote. */
    private int stopWriter(String tag) {
        cluster.run(cluster.node(1), "touch /root/stop-writer");
        Poll.until("the writer to stop", Duration.ofSeconds(30), Duration.ofMillis(200), () ->
                cluster.run(cluster.node(1), "test -e /root/writer-done && echo done || true").equals("done"));
        assertThat(cluster.run(cluster.node(1), "cat /root/writer-failures 2>/dev/null || true"))
                .as("writes that failed during the change").isEmpty();
        return Integer.parseInt(cluster.run(cluster.node(1), "ls " + MNT + "/during | grep -c '^" + tag + "' || true"));
    }

    /** Every node reads every file: those written before by their sums, those written during by their text. */
    private void everyFileOnEveryNode(int nodes, String tag, int written) {
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= written; i++) {
            expected.append(tag).append(' ').append(i).append('\n');
        }
        for (int n = 1; n <= nodes; n++) {
            String node = cluster.node(n);
            assertThat(sums(node)).as("files written before, read on " + node).isEqualTo(before);
            if (written > 0) {
                assertThat(cluster.run(node, "for i in $(seq 1 " + written + "); do cat " + MNT + "/during/" + tag
                        + "$i; done") + "\n").as("files written during, read on " + node).isEqualTo(expected.toString());
            }
        }
    }

    private List<String> volumeBricks() {
        return List.of(cluster.run(cluster.node(1), "gluster --mode=script volume info " + GlusterLayout.VOLUME
                + " --xml | sed -n 's|.*<name>\\(.*:/.*\\)</name>.*|\\1|p'").split("\n"));
    }

    private void greenAndShaped(int nodes) {
        List<CheckResult> failed = cluster.birdbath().check(List.of()).stream().filter(r -> !r.ok()).toList();
        assertThat(failed).isEmpty();
        assertThat(cluster.birdbath().nodes()).extracting(Node::name).hasSize(nodes);
        List<String> bricks = volumeBricks();
        assertThat(bricks).hasSize(nodes);
        for (int n = 1; n <= nodes; n++) {
            assertThat(bricks.get(n - 1)).isEqualTo(cluster.birdbath().nodes().get(n - 1).privateIp() + ":"
                    + GlusterLayout.BRICK_DIR);
        }
    }

    /** `up` killed at the first line matching each of {@code killAt} in turn, then run to its end here. */
    private void killedTwiceThenFinished(boolean yes, String... killAt) throws Exception {
        for (String at : killAt) {
            String killed = KilledUp.killAt(cluster.config, yes, Pattern.compile(at), 12);
            assertThat(killed).doesNotContain("UP FINISHED").doesNotContain("node " + cluster.node(4) + " removed");
        }
        cluster.output.clear();
        cluster.birdbath().up(List.of(), null, yes);
    }

    /**
     * cluster.nodes {@code n} while node 1 writes files tagged {@code tag}; `up` killed at each of {@code killAt} and
     * finished; then check green, the volume in node order, every file on every node.
     */
    /** Files written during the change, returned. */
    private int changeTo(int n, boolean yes, String tag, String... killAt) throws Exception {
        nodes(n);
        startWriter(tag);
        killedTwiceThenFinished(yes, killAt);
        int written = stopWriter(tag);
        assertThat(written).as("files written during the change").isPositive();
        greenAndShaped(n);
        everyFileOnEveryNode(n, tag, written);
        return written;
    }

    @Test
    @Order(1)
    void growKilledAfterTheAddBrickAndDuringTheRebalanceIsFinishedByTheNextUp() throws Exception {
        changeTo(6, false, "g-", "added bricks", "rebalance");
        // the rebalance moved some of the first files onto the second set
        assertThat(Integer.parseInt(cluster.run(cluster.node(4), "find " + GlusterLayout.BRICK_DIR + "/before -type f"
                + " -size +0 | wc -l"))).as("files of before/ on node 4's brick").isPositive();
        assertThat(cluster.run(cluster.node(1), "gluster --mode=script volume get " + GlusterLayout.VOLUME + " "
                + StorageGrow.BALANCED + " | tail -1")).endsWith(" 6");
    }

    @Test
    @Order(2)
    void shrinkKilledWhileTheDataMovesAndAfterTheCommitIsFinishedByTheNextUp() throws Exception {
        shrinkWritten = changeTo(3, true, "s-", "moving the data off", "removed from the volume");
        assertThat(cluster.run(cluster.node(1), "gluster --mode=script pool list | grep -c Connected"))
                .as("peers left in the pool, localhost included").isEqualTo("3");
        assertThat(cluster.output).anyMatch(l -> l.contains(cluster.node(4)) && l.contains("removed before the node"
                + " goes (4 members left)")).anyMatch(l -> l.contains(cluster.node(5)) && l.contains("(3 members left)"));
        List<String> members = cluster.birdbath().withEtcd(e -> e.list().stream().map(m -> m.name()).toList());
        assertThat(members).containsExactlyInAnyOrder(cluster.node(1), cluster.node(2), cluster.node(3));
    }

    /**
     * Node 3 deleted behind birdbath's back with its disk (container, overlay, loop file gone), then node 2 with
     * its disk kept: the next `up` recreates each and it rejoins everything (a new machine id, its etcd member
     * replaced, IPsec, the storage pool under its old glusterd UUID); node 3's empty brick is reset and healed
     * full from the others, the run killed twice on the way (after the rejoin, during the heal). No file lost.
     */
    @Test
    @Order(3)
    void aNodeDeletedBehindBirdbathsBackIsRebuiltAndHealed() throws Exception {
        String machineId = cluster.run(cluster.node(3), "cat /etc/machine-id");
        java.nio.file.Path local = cluster.dir.resolve(".birdbath/local");
        new birdbath.node.NodeContainer(cluster.node(3), local.resolve("nodes/" + cluster.node(3))).remove();
        birdbath.node.LoopVolume.remove(local.resolve("volumes/" + cluster.node(3) + ".img"));
        killedTwiceThenFinished(false, "rejoined the pool", "full heal started");
        greenAndShaped(3);
        assertThat(cluster.run(cluster.node(3), "cat /etc/machine-id")).isNotEqualTo(machineId);
        assertThat(cluster.run(cluster.node(3), "cd " + GlusterLayout.BRICK_DIR + " && find before -type f | sort"
                + " | xargs sha256sum")).as("node 3's new brick, healed").isEqualTo(before);
        everyFileOnEveryNode(3, "s-", shrinkWritten);

        new birdbath.node.NodeContainer(cluster.node(2), local.resolve("nodes/" + cluster.node(2))).remove();
        cluster.birdbath().up(List.of(), null, false);
        greenAndShaped(3);
        assertThat(cluster.output).anyMatch(l -> l.contains(cluster.node(2)) && l.contains("its brick kept its data"));
        everyFileOnEveryNode(3, "s-", shrinkWritten);
    }

    /** Shapes birdbath does not change by itself: refused before anything is touched, with the way out. */
    @Test
    @Order(4)
    void aChangeOfShapeOrTheLastSetIsRefused() throws Exception {
        Files.writeString(cluster.config, config + "storage:\n  nodes: 2\n");
        assertThatThrownBy(() -> cluster.birdbath().up(List.of(), null, true))
                .hasMessageContaining("volume birdbath is replica 3 on 3 bricks")
                .hasMessageContaining("asks for replica 3 arbiter 1 on 3")
                .hasMessageContaining("whole sets of the same shape");
        Files.writeString(cluster.config, config + "storage:\n  nodes: 0\n");
        assertThatThrownBy(() -> cluster.birdbath().up(List.of(), null, true))
                .hasMessageContaining("storage.nodes 0 would remove every brick");
        Files.writeString(cluster.config, config);
        greenAndShaped(3);
        assertThat(sums(cluster.node(3))).isEqualTo(before);
    }
}
