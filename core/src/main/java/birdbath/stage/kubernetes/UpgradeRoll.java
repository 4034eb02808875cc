package birdbath.stage.kubernetes;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.Reporter;
import birdbath.provider.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    private static final String MIRROR = "kubernetes.io/config.mirror";

    private final KubernetesClient api;
    private final Duration drainDeadline;
    private final Duration pollInterval;
    private final Reporter out;

    UpgradeRoll(KubernetesClient api, Duration drainDeadline, Duration pollInterval, Reporter out) {
        this.api = api;
        this.drainDeadline = drainDeadline;
        this.pollInterval = pollInterval;
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
                cordon(n.name(), true);
                drain(n.name());
                upgrade.upgrade(n, n.equals(controlPlane.get(0)));
                cordon(n.name(), false);
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

    private void cordon(String node, boolean unschedulable) {
        api.nodes().withName(node).edit(n -> new NodeBuilder(n).editOrNewSpec().withUnschedulable(unschedulable)
                .endSpec().build());
    }

    /** Evicts what may move and waits, bounded, until it has left; a PodDisruptionBudget's refusal is retried. */
    private void drain(String node) {
        Set<String> asked = new HashSet<>();
        try {
            Poll.until("the pods on " + node + " to be evicted", drainDeadline, pollInterval, () -> {
                List<Pod> left = evictable(node);
                for (Pod p : left) {
                    String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
                    // once per pod; false is the API's 429 (a disruption budget says not now): asked again later
                    if (!asked.contains(key) && api.pods().inNamespace(p.getMetadata().getNamespace())
                            .withName(p.getMetadata().getName()).evict()) {
                        asked.add(key);
                    }
                }
                return left.isEmpty();
            });
        } catch (BirdbathException e) {
            throw new BirdbathException("the pods " + evictable(node).stream().map(p -> p.getMetadata().getNamespace()
                    + "/" + p.getMetadata().getName()).toList() + " did not leave " + node + " within "
                    + drainDeadline.toMinutes() + " minutes (a PodDisruptionBudget, or a pod that does not stop)");
        }
    }

    /** The node's pods that draining moves: all but DaemonSet pods and static (mirror) pods. */
    private List<Pod> evictable(String node) {
        // filtered here rather than by a field selector: the cluster is small, and every API server answers this
        return api.pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName()))
                .filter(p -> p.getMetadata().getAnnotations() == null
                        || !p.getMetadata().getAnnotations().containsKey(MIRROR))
                .filter(p -> p.getMetadata().getOwnerReferences().stream()
                        .noneMatch(o -> "DaemonSet".equals(o.getKind())))
                .toList();
    }
}
