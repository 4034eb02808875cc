package birdbath.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.BirdbathException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the provider's API or .birdbath/state.json says of a node reaches files on every node (/etc/hosts,
 * swanctl.conf, mount units, etcd.env), where the template writer takes words such as "198.18.0.1,0.0.0.0/0":
 * so a node is only made of a DNS label, IPv4 literals, a DNS name and a device path.
 */
class NodeTest {

    private static Node node(String name, String publicIp, String privateIp, String fqdn, String device) {
        return new Node(name, 1, Set.of(), publicIp, privateIp, fqdn, device, new Node.Ssh("198.18.0.1", 22), "1");
    }

    @Test
    void aNodeOfLabelsAddressesAndAPathIsMade() {
        Node n = node("demo-1", "203.0.113.11", "198.18.5.11", "demo-1.example.com",
                "/dev/disk/by-id/scsi-0Linode_Volume_demo-1");
        assertThat(n.privateIp()).isEqualTo("198.18.5.11");
        assertThat(node("demo-2", null, "198.18.5.12", null, null).publicIp()).isNull();
    }

    @Test
    void anythingThatIsNotAnAddressIsRefusedNamingTheNodeAndTheField() {
        assertThatThrownBy(() -> node("demo-1", "203.0.113.11", "198.18.5.11,0.0.0.0/0", null, null))
                .isInstanceOf(BirdbathException.class)
                .hasMessage("node demo-1: its private address \"198.18.5.11,0.0.0.0/0\" is not what a node's private"
                        + " address can be (from the provider's API or .birdbath/state.json)");
        assertThatThrownBy(() -> node("demo-1", "203.0.113.256", "198.18.5.11", null, null))
                .hasMessageContaining("public address \"203.0.113.256\"");
        assertThatThrownBy(() -> node("demo 1", null, "198.18.5.11", null, null))
                .hasMessageContaining("its name \"demo 1\"");
        assertThatThrownBy(() -> node("demo-1", null, "198.18.5.11", "demo-1.example.com\n198.18.0.9 evil", null))
                .hasMessageContaining("its FQDN \"demo-1.example.com?198.18.0.9 evil\"").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> node("demo-1", null, "198.18.5.11", null, "/dev/sdb,nofail"))
                .hasMessageContaining("storage device \"/dev/sdb,nofail\"");
    }
}
