package birdbath.stage.apps;

import birdbath.Secret;
import birdbath.config.AppsSpec;
import birdbath.stage.Template;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mosquitto 2 with TLS on 8883: a server certificate from birdbath's CA (names: the public host and the
 * in-cluster Service), a password file birdbath hashes itself, persistence on a glusterfs volume. Its port is
 * a host port on the ingress node, so devices reach it from outside without the original's proxy DaemonSet.
 * Object names are the original's: Secret {@code mosquitto-secrets}, ConfigMap {@code mosquitto-config}.
 */
public final class MosquittoApp {

    public static final String NAME = "mosquitto";
    static final String IMAGE = "eclipse-mosquitto:2";
    static final String SECRETS = "mosquitto-secrets";
    static final String CONFIG = "mosquitto-config";

    private MosquittoApp() { }

    /** The password of broker user {@code user}, as kept in .birdbath/secrets/apps. */
    static Secret password(AppSecrets secrets, String user) {
        return secrets.password("mqtt-" + user.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.-]", "-"));
    }

    /** The names the server certificate must carry. */
    public static List<String> dnsNames(AppsSpec.Mosquitto spec) {
        return List.of(spec.host(), NAME + "." + Objects.NAMESPACE + ".svc", NAME + "." + Objects.NAMESPACE
                + ".svc.cluster.local");
    }

    static List<HasMetadata> objects(AppsSpec.Mosquitto spec, String ingressNodeName, birdbath.pki.Pki.ServiceTls tls, AppSecrets secrets,
                                     String passwordFile) {
        String ns = Objects.NAMESPACE;
        String config = Template.render("apps/mosquitto.conf", Map.of());
        Map<String, Secret> files = new LinkedHashMap<>();
        files.put("ca-certificate", new Secret(tls.caPem()));
        files.put("server-certificate", new Secret(tls.certificatePem()));
        files.put("server-key", tls.keyPem());
        files.put("pwfile", new Secret(passwordFile));
        return List.of(
                Objects.secret(SECRETS, ns, NAME, files),
                new ConfigMapBuilder().withMetadata(Objects.meta(CONFIG, ns, NAME))
                        .withData(Map.of("mosquitto.conf", config)).build(),
                new PersistentVolumeClaimBuilder().withMetadata(Objects.meta("mosquitto-data", ns, NAME)).withNewSpec()
                        .withAccessModes("ReadWriteOnce").withStorageClassName(Objects.STORAGE_CLASS)
                        .withNewResources().withRequests(Map.of("storage", new Quantity(spec.sizeGb() + "Gi")))
                        .endResources().endSpec().build(),
                new ServiceBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).withNewSpec()
                        .withSelector(Objects.selector(NAME)).addNewPort().withName("mqtts").withPort(8883)
                        .withTargetPort(new IntOrString(8883)).endPort().endSpec().build(),
                new DeploymentBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).withNewSpec().withReplicas(1)
                        // one broker owns the persistence file: the old one stops before the new one starts
                        .withNewStrategy().withType("Recreate").endStrategy()
                        .withNewSelector().withMatchLabels(Objects.selector(NAME)).endSelector()
                        .withNewTemplate().withNewMetadata().withLabels(Objects.selector(NAME))
                        .withAnnotations(Map.of("birdbath.dev/config-sha256", birdbath.Hashes.sha256Hex(
                                config + passwordFile + tls.certificatePem())))
                        .endMetadata().withNewSpec()
                        .withNodeSelector(Objects.onIngressNode(ingressNodeName))
                        .withTolerations(Objects.ingressNodeTolerations())
                        .addNewContainer().withName(NAME).withImage(IMAGE)
                        .withCommand("mosquitto", "-c", "/mosquitto/config/mosquitto.conf")
                        .addNewPort().withName("mqtts").withContainerPort(8883).withHostPort(8883).endPort()
                        .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString(8883)).endTcpSocket()
                        .withPeriodSeconds(5).endReadinessProbe()
                        .addNewVolumeMount().withName("config").withMountPath("/mosquitto/config").endVolumeMount()
                        .addNewVolumeMount().withName("secrets").withMountPath("/mosquitto/secrets").withReadOnly(true)
                        .endVolumeMount()
                        .addNewVolumeMount().withName("data").withMountPath("/mosquitto/data").endVolumeMount()
                        .endContainer()
                        .addNewVolume().withName("config").withNewConfigMap().withName(CONFIG).endConfigMap().endVolume()
                        .addNewVolume().withName("secrets").withNewSecret().withSecretName(SECRETS).endSecret()
                        .endVolume()
                        .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("mosquitto-data")
                        .endPersistentVolumeClaim().endVolume()
                        .endSpec().endTemplate().endSpec().build());
    }
}
