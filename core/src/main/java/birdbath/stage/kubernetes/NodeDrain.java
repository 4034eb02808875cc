package birdbath.stage.kubernetes;

import birdbath.BirdbathException;
import birdbath.Poll;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * `kubectl cordon` and `kubectl drain` through the API server: pods evicted (not those of a DaemonSet, which would
 * come straight back, nor static pods, which belong to the kubelet) and awaited, bounded, until they are gone.
 */
final class NodeDrain {

    private static final String MIRROR = "kubernetes.io/config.mirror";

    private final KubernetesClient api;
    private final Duration deadline;
    private final Duration interval;

    NodeDrain(KubernetesClient api, Duration deadline, Duration interval) {
        this.api = api;
        this.deadline = deadline;
        this.interval = interval;
    }

    void cordon(String node, boolean unschedulable) {
        api.nodes().withName(node).edit(n -> new NodeBuilder(n).editOrNewSpec().withUnschedulable(unschedulable)
                .endSpec().build());
    }

    /** Evicts what may move and waits, bounded, until it has left; a PodDisruptionBudget's refusal is retried. */
    void drain(String node) {
        Set<String> asked = new HashSet<>();
        try {
            Poll.until("the pods on " + node + " to be evicted", deadline, interval, () -> {
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
                    + deadline.toMinutes() + " minutes (a PodDisruptionBudget, or a pod that does not stop)");
        }
    }

    /** The node's pods that draining moves: all but DaemonSet pods and static (mirror) pods. */
    List<Pod> evictable(String node) {
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
