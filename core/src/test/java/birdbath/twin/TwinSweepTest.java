package birdbath.twin;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.Reporter;
import birdbath.host.Host;
import birdbath.node.BaseImage;
import birdbath.node.LoopVolume;
import birdbath.node.NodeNetwork;
import birdbath.testkit.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A twin that was killed (its process gone) leaves its run directory, a machine's namespace, a volume's loop
 * device and its bridge behind: the next twin removes all of it before it starts.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TwinSweepTest {

    @Test
    void aNewTwinRemovesWhatAKilledOneLeft() throws Exception {
        TestHost.requireRoot("the twin's machines are containers in network namespaces");
        String dead = "dead" + Long.toHexString(System.nanoTime() & 0xff);
        Path run = Path.of(System.getProperty("java.io.tmpdir"), "birdbath-twin", "run-" + dead);
        Files.createDirectories(run.resolve("nodes"));
        // a pid that is not running: a short-lived process, waited for
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(run.resolve("owner"), gone.pid() + "\n");
        String loop = LoopVolume.ensure(run.resolve("volumes/1001.img"), 1);
        NodeNetwork.ensureBridge("bt" + dead, List.of());
        NodeNetwork.ensureNamespace("bt" + dead + "-1001", "vt" + dead + "-1001", "bt" + dead,
                List.of("198.18.255.9/24"), "198.18.255.1");
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        try (RealNodes twin = new RealNodes(BaseImage.defaultCacheDir(System.getenv()).getParent(),
                Reporter.into(output::add))) {
            assertThat(output).anyMatch(l -> l.contains("removing what an earlier twin left in " + run));
            assertThat(Files.exists(run)).isFalse();
            assertThat(NodeNetwork.namespaceExists("bt" + dead + "-1001")).isFalse();
            assertThat(NodeNetwork.exists("bt" + dead)).isFalse();
            assertThat(Host.check(Duration.ofSeconds(10), "losetup", "-a")).doesNotContain(run.toString());
            assertThat(Files.exists(Path.of("/sys/block", Path.of(loop).getFileName().toString(), "loop")))
                    .as("the loop device is free again").isFalse();
        } finally {
            NodeNetwork.removeNamespace("bt" + dead + "-1001", "vt" + dead + "-1001");
            NodeNetwork.removeBridge("bt" + dead);
            LoopVolume.remove(run.resolve("volumes/1001.img"));
        }
    }
}
