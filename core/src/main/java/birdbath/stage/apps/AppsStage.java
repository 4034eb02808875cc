package birdbath.stage.apps;

import birdbath.config.ClusterSpec.ProviderKind;
import birdbath.provider.Node;
import birdbath.stage.CheckResult;
import birdbath.stage.Stage;
import birdbath.stage.StageRun;
import birdbath.stage.kubernetes.KubernetesStage;
import birdbath.stage.storage.StorageStage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The last stage of `up`: the glusterfs StorageClass (the storage stage's manifests), then the apps of the
 * `apps` section, through .birdbath/kubeconfig, each object written only when it changed. Nothing without an
 * apps section; nothing on the local provider, which runs no Kubernetes. The images of the two services come
 * from `birdbath image load`.
 */
public final class AppsStage implements Stage {

    @Override
    public String name() {
        return AppsCheck.STAGE;
    }

    @Override
    public void converge(StageRun run) {
        if (!run.spec().apps().any()) {
            run.out().info("  nothing to do: birdbath.yaml has no apps section");
            return;
        }
        if (run.spec().provider() == ProviderKind.LOCAL) {
            run.out().warn("the local provider runs no Kubernetes: the apps are not deployed (`birdbath apps render`"
                    + " prints them)");
            return;
        }
        try (KubernetesClient client = KubernetesStage.client(KubernetesStage.kubeconfig(run.spec()))) {
            List<HasMetadata> objects = new ArrayList<>(client.load(new ByteArrayInputStream(
                    StorageStage.manifests().getBytes(StandardCharsets.UTF_8))).items());
            objects.addAll(new Apps(run.spec()).objects());
            List<ClusterApply.Applied> applied = ClusterApply.apply(client, objects);
            long changed = applied.stream().filter(a -> a.outcome() != ClusterApply.Outcome.UNCHANGED).count();
            for (ClusterApply.Applied a : applied) {
                if (a.outcome() != ClusterApply.Outcome.UNCHANGED) {
                    run.out().info("  " + a.outcome().name().toLowerCase() + " " + a.kind() + " " + a.name());
                }
            }
            run.out().info("  " + applied.size() + " objects, " + changed + " changed");
        }
    }

    @Override
    public List<CheckResult> check(StageRun run) {
        if (!run.spec().apps().any() || run.spec().provider() == ProviderKind.LOCAL) {
            return List.of();
        }
        if (!Files.exists(KubernetesStage.kubeconfig(run.spec()))) {
            return List.of(CheckResult.failed(name(), "cluster", "deployed", "no "
                    + KubernetesStage.kubeconfig(run.spec()) + " yet: `birdbath up` has not set up Kubernetes"));
        }
        List<HasMetadata> objects = new Apps(run.spec()).objects();
        List<CheckResult> results = new ArrayList<>();
        try (KubernetesClient client = KubernetesStage.client(KubernetesStage.kubeconfig(run.spec()))) {
            results.addAll(AppsCheck.rollouts(client, objects));
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
