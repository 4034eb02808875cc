package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.config.ClusterSpec.Role;
import birdbath.provider.Node;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order in which each node tries the API servers' private addresses. */
class ApiAddressesTest {

    private static Node node(int n, boolean controlPlane) {
        Set<Role> roles = controlPlane ? EnumSet.of(Role.CONTROL_PLANE) : EnumSet.of(Role.WORKER);
        return new Node("demo-" + n, n, roles, "203.0.113." + n, "198.18.5." + n, null, null,
                new Node.Ssh("203.0.113." + n, 22, "birdbath"), String.valueOf(n));
    }

    private final List<Node> nodes = List.of(node(1, true), node(2, true), node(3, true), node(4, false),
            node(5, false), node(6, false));

    @Test
    void aControlPlaneNodeTriesItsOwnApiServerFirstThenTheOthersInOrder() {
        assertThat(ApiAddresses.forNode(nodes, nodes.get(1)))
                .containsExactly("198.18.5.2", "198.18.5.3", "198.18.5.1");
        assertThat(ApiAddresses.forNode(nodes, nodes.get(0)))
                .containsExactly("198.18.5.1", "198.18.5.2", "198.18.5.3");
    }

    @Test
    void workersStartAtDifferentApiServersAndEachListsAllThree() {
        assertThat(ApiAddresses.forNode(nodes, nodes.get(3))).containsExactly("198.18.5.2", "198.18.5.3", "198.18.5.1");
        assertThat(ApiAddresses.forNode(nodes, nodes.get(4))).containsExactly("198.18.5.3", "198.18.5.1", "198.18.5.2");
        assertThat(ApiAddresses.forNode(nodes, nodes.get(5))).containsExactly("198.18.5.1", "198.18.5.2", "198.18.5.3");
    }

    @Test
    void withOneControlPlaneNodeEveryNodeGoesThere() {
        List<Node> one = List.of(node(1, true), node(2, false), node(3, false));
        for (Node n : one) {
            assertThat(ApiAddresses.forNode(one, n)).containsExactly("198.18.5.1");
        }
    }
}
