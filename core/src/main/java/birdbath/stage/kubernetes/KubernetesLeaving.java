package birdbath.stage.kubernetes;

import birdbath.Reporter;
import birdbath.provider.Node;
import birdbath.stage.NodeCommands;
import birdbath.stage.StageRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Before `up --yes` removes nodes: each leaving node cordoned, drained (its pods start elsewhere while it still
 * runs) and deleted from the API server, so no NotReady node stays behind. Nothing where the kubernetes stage does
 * not apply (the local provider) or has not yet written a kubeconfig.
 */
public final class KubernetesLeaving {

    static final Duration DRAIN_DEADLINE = Duration.ofMinutes(10);

    private KubernetesLeaving() { }

    /** {@code run} works on the nodes as they are now; {@code staying} are the nodes `up` keeps. */
    public static void remove(StageRun run, List<Node> staying) {
        Path kubeconfig = KubernetesStage.kubeconfig(run.spec());
        if (new KubernetesStage().skip(run.spec()).isPresent() || !Files.exists(kubeconfig)) {
            return;
        }
        List<String> keep = staying.stream().map(Node::name).toList();
        List<String> leaving = run.nodes().stream().map(Node::name).filter(n -> !keep.contains(n)).toList();
        if (leaving.isEmpty()) {
            return;
        }
        try (KubernetesClient api = KubernetesStage.client(kubeconfig)) {
            remove(api, leaving, new NodeDrain(api, DRAIN_DEADLINE, Duration.ofSeconds(2)), run.out());
        }
    }

    /** Cordons, drains and deletes each named node the API server knows, in order. */
    static void remove(KubernetesClient api, List<String> leaving, NodeDrain drain, Reporter out) {
        for (String node : leaving) {
            if (api.nodes().withName(node).get() == null) {
                continue;
            }
            drain.cordon(node, true);
            drain.drain(node);
            api.nodes().withName(node).delete();
            NodeCommands.report(out, node, "kubernetes", "drained and deleted from the API before the node goes");
        }
    }
}
