package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.provider.Node;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cases the etcd-backed test in EtcdClusterTest does not reach. */
class ControlPlaneStartTest {

    private static Node node(int n) {
        return new Node("demo-" + n, n, Set.of(), "203.0.113." + n, "198.18.5." + n, null, null,
                new Node.Ssh("203.0.113." + n, 22, "birdbath"), String.valueOf(n));
    }

    private final List<Node> cp = List.of(node(1), node(2), node(3));

    @Test
    void aRunningFirstNodeIsTheSourceOfJoinsAndUpgrades() {
        assertThat(ControlPlaneStart.decide(true, List.of(node(1), node(3)), cp))
                .isEqualTo(new ControlPlaneStart(false, node(1)));
    }

    @Test
    void aControlPlaneBesideAnEmptyEtcdIsNeverInitialisedAgain() {
        assertThatThrownBy(() -> ControlPlaneStart.decide(false, List.of(node(2)), cp))
                .hasMessageStartingWith("kubernetes: demo-2 has /etc/kubernetes/admin.conf but etcd holds no"
                        + " Kubernetes cluster (nothing under /registry/): etcd was wiped or replaced.");
    }
}
