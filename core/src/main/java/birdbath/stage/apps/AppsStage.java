package birdbath.stage.apps;

import birdbath.config.ClusterSpec;
import birdbath.provider.Node;
import birdbath.stage.CheckResult;
import birdbath.stage.Stage;
import birdbath.stage.StageRun;
import birdbath.stage.kubernetes.KubernetesStage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The last stage of `up`: {@link Apps#objects()} (the glusterfs StorageClass, then the apps of the `apps`
 * section) through .birdbath/kubeconfig, each object written only when it changed, as `apps deploy` does.
 * Nothing without an apps section; nothing on a provider that runs no Kubernetes. The images of the two
 * services come from `birdbath image load`.
 */
public final class AppsStage implements Stage {

    @Override
    public String name() {
        return AppsCheck.STAGE;
    }

    @Override
    public Optional<Skip> skip(ClusterSpec spec) {
        if (!spec.apps().any()) {
            return Optional.of(Skip.nothingAsked("birdbath.yaml has no apps section"));
        }
        return spec.provider().runsKubernetes() ? Optional.empty() : Optional.of(Skip.cannotRun("the "
                + spec.provider().label() + " provider runs no Kubernetes: the apps are not deployed (`birdbath"
                + " apps render` prints them)"));
    }

    @Override
    public void converge(StageRun run) {
        try (KubernetesClient client = KubernetesStage.client(KubernetesStage.kubeconfig(run.spec()))) {
            List<ClusterApply.Applied> applied = new Apps(run.spec()).deploy(client);
            long changed = applied.stream().filter(a -> a.outcome() != ClusterApply.Outcome.UNCHANGED).count();
            for (ClusterApply.Applied a : applied) {
                if (a.outcome() != ClusterApply.Outcome.UNCHANGED) {
                    run.out().info("  " + a.outcome().name().toLowerCase() + " " + a.kind() + " " + a.name());
                }
            }
            long kept = applied.stream().filter(a -> a.outcome() != ClusterApply.Outcome.DELETED).count();
            run.out().info("  " + kept + " objects, " + changed + " changed");
        }
    }

    @Override
    public List<CheckResult> check(StageRun run) {
        if (!Files.exists(KubernetesStage.kubeconfig(run.spec()))) {
            return List.of(CheckResult.failed(name(), "cluster", "deployed", "no "
                    + KubernetesStage.kubeconfig(run.spec()) + " yet: `birdbath up` has not set up Kubernetes"));
        }
        List<HasMetadata> objects = new Apps(run.spec()).appObjects();
        List<CheckResult> results = new ArrayList<>();
        try (KubernetesClient client = KubernetesStage.client(KubernetesStage.kubeconfig(run.spec()))) {
            results.addAll(AppsCheck.rollouts(client, objects, run.spec().backups()));
        }
        Node ingress = run.nodes().stream().filter(n -> n.index() == run.spec().apps().ingressNode()).findFirst()
                .orElse(null);
        if (ingress == null) {
            results.add(CheckResult.failed(name(), "cluster", "ingress node", "node " + run.spec().apps().ingressNode()
                    + " (apps.ingress_node) is not in the cluster"));
            return results;
        }
        for (String host : AppsCheck.hosts(objects)) {
            results.add(AppsCheck.answers(host, new InetSocketAddress(ingress.publicIp(), 443), defaultTls()));
        }
        return results;
    }

    /** The JDK's trusted CAs: Let's Encrypt's certificates are what the hosts should present. */
    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
