package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.BirdbathException;
import birdbath.provider.Node;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order of an upgrade and what stops it, decided before any node is drained. */
class UpgradePlanTest {

    private static Node node(int n) {
        return new Node("demo-" + n, n, Set.of(), "203.0.113." + n, "198.18.5." + n, null, null,
                new Node.Ssh("203.0.113." + n, 22, "birdbath"), String.valueOf(n));
    }

    private final List<Node> nodes = List.of(node(1), node(2), node(3), node(4), node(5));
    private final List<Node> controlPlane = nodes.subList(0, 3);

    @Test
    void controlPlaneNodesFirstInTheirOrderThenWorkersSkippingThoseAlreadyThere() {
        Map<String, String> installed = Map.of("demo-1", "1.34.1", "demo-2", "1.35.0", "demo-3", "1.34.1",
                "demo-4", "1.34.1", "demo-5", "1.34.1");
        assertThat(UpgradePlan.of(controlPlane, nodes, installed, "1.35.0").order()).extracting(Node::name)
                .containsExactly("demo-1", "demo-3", "demo-4", "demo-5");
        assertThat(UpgradePlan.of(controlPlane, nodes, Map.of("demo-1", "1.35.0", "demo-2", "1.35.0", "demo-3",
                "1.35.0", "demo-4", "1.35.0", "demo-5", "1.35.0"), "1.35.0").order()).isEmpty();
    }

    @Test
    void aPatchReleaseIsAnUpgradeToo() {
        assertThat(UpgradePlan.of(controlPlane, nodes.subList(0, 3), Map.of("demo-1", "1.34.1", "demo-2", "1.34.1",
                "demo-3", "1.34.1"), "1.34.9").order()).hasSize(3);
    }

    @Test
    void skippingAMinorReleaseStopsTheWholeUpgradeBeforeAnyNodeIsDrained() {
        // a worker two minor releases behind: the control plane must not be upgraded first and then stuck
        Map<String, String> installed = Map.of("demo-1", "1.35.2", "demo-2", "1.35.2", "demo-3", "1.35.2",
                "demo-4", "1.35.2", "demo-5", "1.34.1");
        assertThatThrownBy(() -> UpgradePlan.of(controlPlane, nodes, installed, "1.36.0"))
                .isInstanceOf(BirdbathException.class)
                .hasMessage("kubernetes: no node was upgraded: demo-5 runs Kubernetes 1.34.1; kubeadm upgrades one"
                        + " minor release at a time: set kubernetes.version to a 1.35 release first, then 1.36.0");
    }

    @Test
    void aNodeNewerThanTheVersionOrSilentAboutItsOwnStopsItToo() {
        Map<String, String> installed = Map.of("demo-1", "1.35.0", "demo-2", "1.36.1", "demo-3", "1.35.0",
                "demo-4", "1.35.0");
        assertThatThrownBy(() -> UpgradePlan.of(controlPlane, nodes, installed, "1.36.0"))
                .hasMessage("kubernetes: no node was upgraded: demo-2 runs Kubernetes 1.36.1, newer than"
                        + " kubernetes.version 1.36.0; kubeadm does not downgrade; demo-5 does not say which Kubernetes"
                        + " release it runs (/etc/birdbath/kubernetes-version is missing)");
    }
}
