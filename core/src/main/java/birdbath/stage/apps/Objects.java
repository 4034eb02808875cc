package birdbath.stage.apps;

import birdbath.Secret;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What every app's objects share: names, labels, Secrets with base64 data (never stringData). */
final class Objects {

    static final String NAMESPACE = "default";
    static final String STORAGE_CLASS = "glusterfs";

    private Objects() { }

    static Map<String, String> selector(String app) {
        return Map.of("app.kubernetes.io/name", app);
    }

    static ObjectMeta meta(String name, String namespace, String app) {
        Map<String, String> labels = new LinkedHashMap<>(selector(app));
        labels.put("app.kubernetes.io/managed-by", "birdbath");
        return new ObjectMetaBuilder().withName(name).withNamespace(namespace).withLabels(labels).build();
    }

    /** A Secret whose values are base64 in {@code data}: rendered YAML then never shows a password as text. */
    static io.fabric8.kubernetes.api.model.Secret secret(String name, String namespace, String app,
                                                         Map<String, Secret> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(
                v.reveal().getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withMetadata(meta(name, namespace, app)).withType("Opaque").withData(data).build();
    }

    /** An environment variable from a key of a Secret. */
    static EnvVar fromSecret(String env, String secret, String key) {
        return new EnvVarBuilder().withName(env).withNewValueFrom().withNewSecretKeyRef(key, secret, false)
                .endValueFrom().build();
    }

    /** Pins a pod to the ingress node (its public address is the sites' and the broker's). */
    static Map<String, String> onIngressNode(String node) {
        return Map.of("kubernetes.io/hostname", node);
    }

    /**
     * What a pod pinned to the ingress node tolerates: kubeadm taints control-plane nodes NoSchedule, and the
     * ingress node (apps.ingress_node, node 1 unless set) is one whenever it is among the first control_plane nodes:
     * by default it is, and without this Traefik and Mosquitto would never be scheduled.
     */
    static List<Toleration> ingressNodeTolerations() {
        return List.of(new TolerationBuilder().withKey("node-role.kubernetes.io/control-plane").withOperator("Exists")
                .withEffect("NoSchedule").build());
    }

    static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
