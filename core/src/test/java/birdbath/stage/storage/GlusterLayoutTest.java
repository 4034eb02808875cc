package birdbath.stage.storage;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.config.ClusterSpec.Role;
import birdbath.provider.Node;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How many storage nodes give which volume, and the gluster command that creates it. */
class GlusterLayoutTest {

    /** Nodes c-1..c-total, the first {@code storage} with the storage role and a volume. */
    static List<Node> nodes(int total, int storage) {
        List<Node> out = new ArrayList<>();
        for (int n = 1; n <= total; n++) {
            EnumSet<Role> roles = EnumSet.of(Role.WORKER);
            if (n <= storage) {
                roles.add(Role.STORAGE);
            }
            out.add(new Node("c-" + n, n, roles, "203.0.113." + n, "10.0.0." + n, "c-" + n + ".example.com",
                    n <= storage ? "/dev/sdc" : null, new Node.Ssh("203.0.113." + n, 22, "root"), null));
        }
        return out;
    }

    @Test
    void layoutsByStorageNodeCount() {
        Map<String, String> commands = Map.of(
                "3/3", "gluster --mode=script volume create birdbath replica 3 10.0.0.1:/var/lib/birdbath/brick/birdbath"
                        + " 10.0.0.2:/var/lib/birdbath/brick/birdbath 10.0.0.3:/var/lib/birdbath/brick/birdbath",
                "3/2", "gluster --mode=script volume create birdbath replica 3 arbiter 1"
                        + " 10.0.0.1:/var/lib/birdbath/brick/birdbath 10.0.0.2:/var/lib/birdbath/brick/birdbath"
                        + " 10.0.0.3:/var/lib/birdbath/arbiter/birdbath force",
                "2/2", "gluster --mode=script volume create birdbath replica 2 10.0.0.1:/var/lib/birdbath/brick/birdbath"
                        + " 10.0.0.2:/var/lib/birdbath/brick/birdbath",
                "1/1", "gluster --mode=script volume create birdbath 10.0.0.1:/var/lib/birdbath/brick/birdbath");
        commands.forEach((key, command) -> {
            String[] k = key.split("/");
            GlusterLayout layout = GlusterLayout.of(nodes(Integer.parseInt(k[0]), Integer.parseInt(k[1])));
            assertThat(layout.createCommand()).as(key).isEqualTo(command);
        });
        assertThat(GlusterLayout.of(nodes(3, 3)).warnings()).isEmpty();
        assertThat(GlusterLayout.of(nodes(2, 2)).warnings()).singleElement().asString().contains("split-brain");
        assertThat(GlusterLayout.of(nodes(1, 1)).warnings()).singleElement().asString().contains("no replica");
        assertThat(GlusterLayout.of(nodes(3, 2)).servers()).extracting(Node::name).containsExactly("c-1", "c-2", "c-3");
    }

    @Test
    void bricksComeInThreesAndTheRestIsNamed() {
        GlusterLayout five = GlusterLayout.of(nodes(5, 5));
        assertThat(five.bricks()).hasSize(3);
        assertThat(five.servers()).hasSize(5);
        assertThat(five.warnings()).singleElement().asString().contains("[c-4, c-5]");
        assertThat(GlusterLayout.of(nodes(6, 6)).bricks()).hasSize(6);
        assertThat(GlusterLayout.of(nodes(3, 0)).servers()).isEmpty();
    }

    @Test
    void brickStatusComesFromTheXmlAndDaemonsAreLeftOut() {
        String xml = "<?xml version=\"1.0\"?><cliOutput><volStatus><volumes><volume><volName>birdbath</volName>"
                + "<node><hostname>10.0.0.1</hostname><path>/var/lib/birdbath/brick/birdbath</path><status>1</status>"
                + "</node><node><hostname>10.0.0.2</hostname><path>/var/lib/birdbath/brick/birdbath</path>"
                + "<status>0</status></node><node><hostname>Self-heal Daemon</hostname><path>10.0.0.1</path>"
                + "<status>1</status></node></volume></volumes></volStatus></cliOutput>";
        assertThat(GlusterStatus.bricks(xml)).containsExactly(
                Map.entry("10.0.0.1:/var/lib/birdbath/brick/birdbath", true),
                Map.entry("10.0.0.2:/var/lib/birdbath/brick/birdbath", false));
        assertThat(GlusterStatus.bricks("Connection failed. Please check if gluster daemon is operational."))
                .isEmpty();
        assertThat(GlusterStatus.pendingHeals("Brick a\nStatus: Connected\nNumber of entries: 2\n\nBrick b\n"
                + "Status: Connected\nNumber of entries: 3\n")).isEqualTo(5);
        assertThat(GlusterStatus.pendingHeals("Brick a\nStatus: Transport endpoint is not connected\n"
                + "Number of entries: -\n")).isEqualTo(-1);
    }
}
