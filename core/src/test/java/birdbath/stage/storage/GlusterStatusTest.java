package birdbath.stage.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Reading the gluster CLI. The files under gluster/ are the output of the GlusterFS on the test nodes, captured
 * while StorageLifecycleTest ran (2026-12-01), not written by hand; the strings written here are glusterd's
 * messages as they stand in its source (glusterd-rebalance.c, glusterd-mgmt.c, v10.3).
 */
class GlusterStatusTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = GlusterStatusTest.class.getResourceAsStream("gluster/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String brick(int n) {
        return "198.18.188.1" + n + ":/var/lib/birdbath/brick/birdbath";
    }

    @Test
    void theVolumeItsBricksInOrderItsShapeAndItsOptions() throws IOException {
        GlusterStatus.Volume v = GlusterStatus.volume(resource("volume-info-2x3.xml")).orElseThrow();
        assertThat(v.bricks()).containsExactly(brick(1), brick(2), brick(3), brick(4), brick(5), brick(6));
        assertThat(v.replica()).isEqualTo(3);
        assertThat(v.arbiter()).isZero();
        assertThat(v.shape()).isEqualTo("replica 3");
        assertThat(v.started()).isTrue();
        assertThat(v.options()).containsEntry(StorageGrow.BALANCED, "3").containsEntry("cluster.heal-timeout", "30");
        assertThat(GlusterStatus.volume("<cliOutput><opRet>-1</opRet><opErrno>30800</opErrno><opErrstr>Volume"
                + " birdbath does not exist</opErrstr></cliOutput>")).isEmpty();
        assertThat(GlusterStatus.volume("Connection failed. Please check if gluster daemon is operational."))
                .isEmpty();
    }

    @Test
    void noTaskIsToldApartFromAnAnswerThatSaysNothingCertain() throws IOException {
        GlusterStatus.TaskAnswer none = GlusterStatus.task(resource("rebalance-status-none.xml"));
        assertThat(none.none()).isTrue();
        assertThat(GlusterStatus.task("<cliOutput><opRet>-1</opRet><opErrno>0</opErrno><opErrstr>remove-brick not"
                + " started for volume birdbath.</opErrstr><volRemoveBrick/></cliOutput>").none()).isTrue();
        GlusterStatus.TaskAnswer busy = GlusterStatus.task("<cliOutput><opRet>-1</opRet><opErrno>0</opErrno>"
                + "<opErrstr>Another transaction is in progress for birdbath. Please try again after some time."
                + "</opErrstr></cliOutput>");
        assertThat(busy.none()).isFalse();
        assertThat(busy.error()).startsWith("Another transaction is in progress");
        assertThat(GlusterStatus.task("Connection failed. Please check if gluster daemon is operational.").error())
                .startsWith("Connection failed");
    }

    @Test
    void finishedTasksAsGlusterdReportsThem() throws IOException {
        GlusterStatus.Task removed = GlusterStatus.task(resource("remove-brick-status-completed.xml")).task()
                .orElseThrow();
        assertThat(removed.clean()).isTrue();
        assertThat(removed.files()).isEqualTo(28);
        assertThat(removed.bytes()).isEqualTo(16550056);
        assertThat(removed.seconds()).isEqualTo(12.0);
        GlusterStatus.Task rebalanced = GlusterStatus.task(resource("rebalance-status-completed.xml")).task()
                .orElseThrow();
        assertThat(rebalanced.done()).isTrue();
        assertThat(rebalanced.files()).isEqualTo(62);
        assertThat(Migration.progress(rebalanced)).isEqualTo("completed, 62 files (11.7 MB) moved in 20 s");
    }

    @Test
    void aTaskIsAsWorseAsItsWorstServer() {
        String xml = "<cliOutput><opRet>0</opRet><volRemoveBrick><nodeCount>2</nodeCount>"
                + "<node><nodeName>a</nodeName><files>3</files><status>3</status><statusStr>completed</statusStr></node>"
                + "<node><nodeName>b</nodeName><files>4</files><status>1</status><statusStr>in progress</statusStr></node>"
                + "<aggregate><files>7</files><size>7000000</size><failures>0</failures><skipped>0</skipped>"
                + "<status>3</status><statusStr>completed</statusStr><runtime>12.50</runtime></aggregate>"
                + "</volRemoveBrick></cliOutput>";
        GlusterStatus.Task t = GlusterStatus.task(xml).task().orElseThrow();
        assertThat(t.running()).isTrue();
        assertThat(t.files()).isEqualTo(7);
        assertThat(t.seconds()).isEqualTo(12.5);
        GlusterStatus.Task done = GlusterStatus.task(xml.replace("<status>1</status>", "<status>3</status>"))
                .task().orElseThrow();
        assertThat(done.clean()).isTrue();
        GlusterStatus.Task skipped = GlusterStatus.task(xml.replace("<status>1</status>", "<status>3</status>")
                .replace("<skipped>0</skipped>", "<skipped>1</skipped>")).task().orElseThrow();
        assertThat(skipped.done()).isTrue();
        assertThat(skipped.clean()).as("a remove-brick with a skipped file may not be committed").isFalse();
    }

    /**
     * rebalance-status-stalled.xml: captured on 2026-12-02 from node 1 of StorageLifecycleTest's grown cluster while
     * 198.19.114.15's glusterd said "in progress" 25 minutes after its rebalance process had logged "completed"
     * (the case StalledPart restarts). Only that server is running; the others completed.
     */
    @Test
    void theServersWhosePartStillRunsByTheNameTheAskedServerKnowsThemBy() throws IOException {
        String stalled = resource("rebalance-status-stalled.xml");
        assertThat(GlusterStatus.runningOn(stalled)).containsExactly("198.19.114.15");
        assertThat(GlusterStatus.task(stalled).task().orElseThrow().running()).isTrue();
        assertThat(GlusterStatus.runningOn(resource("rebalance-status-completed.xml"))).isEmpty();
        assertThat(GlusterStatus.runningOn(resource("rebalance-status-none.xml"))).isEmpty();
    }

    @Test
    void theBricksOfARemoveBrickTaskComeFromTheVolumeStatus() throws IOException {
        assertThat(GlusterStatus.removeBrickTask(resource("volume-status-removing.xml")))
                .containsExactly(brick(4), brick(5), brick(6));
        assertThat(GlusterStatus.bricks(resource("volume-status-removing.xml"))).hasSize(6).containsValue(true);
    }

    @Test
    void healCountsFromTheSummary() throws IOException {
        assertThat(GlusterStatus.pendingHeals(resource("heal-info-summary.txt"))).isZero();
        assertThat(GlusterStatus.pendingHeals("Brick a\nStatus: Connected\nTotal Number of entries: 2\n"
                + "Number of entries in heal pending: 2\n\nBrick b\nStatus: Transport endpoint is not connected\n"
                + "Total Number of entries: -\n")).isEqualTo(-1);
        assertThat(GlusterStatus.pendingHeals("Brick a\nStatus: Connected\nTotal Number of entries: 2\n"
                + "Number of entries in heal pending: 2\nNumber of entries in split-brain: 0\n")).isEqualTo(2);
    }

    /** pool-list.txt: node 1 of the Linode twin while node 2 (198.18.7.3) was away (LinodeTwinTest, 2026-12-01). */
    @Test
    void thePoolByAddressWithEachServersUuidAndWhetherItIsConnected() throws IOException {
        java.util.Map<String, GlusterStatus.PoolMember> pool = GlusterStatus.pool(resource("pool-list.txt"));
        assertThat(pool.keySet()).containsExactly("198.18.7.3", "198.18.7.4", "localhost");
        assertThat(pool.get("198.18.7.3"))
                .isEqualTo(new GlusterStatus.PoolMember("15aa022a-782c-4ea6-8186-8ed68808b25b", false));
        assertThat(pool.get("localhost").uuid()).isEqualTo("e7f1d76c-96e5-459d-a3a5-6870ec3c4c8f");
        assertThat(pool.values().stream().filter(GlusterStatus.PoolMember::connected)).hasSize(2);
    }
}
