package birdbath.stage.kubernetes;

import birdbath.BirdbathException;
import birdbath.Reporter;
import birdbath.provider.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Carries out an upgrade through the API server and the nodes. It is planned for every node first
 * ({@link UpgradePlan}: a skipped minor release or a downgrade stops it before anything is touched); then, one node
 * at a time in the plan's order, the node is cordoned, its pods evicted (as `kubectl drain` does: not those of a
 * DaemonSet, which would come straight back, nor static pods, which belong to the kubelet) and awaited until they
 * are gone, the node upgraded, and uncordoned. The first failure stops the roll: that node stays cordoned, so
 * nothing is scheduled onto a half-upgraded node, and the nodes after it are not touched.
 */
final class UpgradeRoll {

    /** The upgrade of one node's packages and kubeadm step (upgrade-node.sh over SSH, in use). */
    interface NodeUpgrade {
        void upgrade(Node node, boolean first);
    }

    private final NodeDrain drain;
    private final Reporter out;

    UpgradeRoll(KubernetesClient api, Duration drainDeadline, Duration pollInterval, Reporter out) {
        this.drain = new NodeDrain(api, drainDeadline, pollInterval);
        this.out = out;
    }

    /**
     * @param controlPlane the control-plane nodes, the one that runs `kubeadm upgrade apply` first
     * @param installed    node name -> the release it runs
     * @return the nodes upgraded, in order
     */
    List<String> run(List<Node> controlPlane, List<Node> nodes, Map<String, String> installed, String want,
                     NodeUpgrade upgrade) {
        UpgradePlan plan = UpgradePlan.of(controlPlane, nodes, installed, want);
        List<String> done = new ArrayList<>();
        for (Node n : plan.order()) {
            try {
                drain.cordon(n.name(), true);
                drain.drain(n.name());
                upgrade.upgrade(n, n.equals(controlPlane.get(0)));
                drain.cordon(n.name(), false);
            } catch (BirdbathException | KubernetesClientException e) {
                List<String> untouched = plan.order().subList(plan.order().indexOf(n) + 1, plan.order().size())
                        .stream().map(Node::name).toList();
                throw new BirdbathException("kubernetes: upgrading " + n.name() + " to " + want + " failed: "
                        + e.getMessage() + ". " + (done.isEmpty() ? "No node was upgraded" : "Upgraded: "
                        + String.join(", ", done)) + "; " + n.name() + " is left cordoned"
                        + (untouched.isEmpty() ? "" : "; not touched: " + String.join(", ", untouched))
                        + ". Fix " + n.name() + " and run `birdbath up` again: it goes on from there");
            }
            done.add(n.name());
            out.info("  kubernetes: " + n.name() + " upgraded " + installed.get(n.name()) + " -> " + want);
        }
        return done;
    }
}
