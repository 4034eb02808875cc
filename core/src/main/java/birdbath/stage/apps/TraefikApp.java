package birdbath.stage.apps;

import birdbath.Secret;
import birdbath.config.AppsSpec;
import birdbath.stage.Template;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import java.util.List;
import java.util.Map;

/**
 * Traefik v3 in kube-system (the original's place and names): reads networking.k8s.io/v1 Ingresses, takes
 * ports 80 and 443 of the ingress node (host network), gets certificates from Let's Encrypt by HTTP-01 with
 * acme.json on a glusterfs volume, redirects HTTP to HTTPS, and serves its dashboard on its own host behind
 * basic auth (users in the Secret {@code traefik-dashboard-auth}, key {@code users}, htpasswd lines).
 */
final class TraefikApp {

    static final String NAME = "traefik";
    static final String NAMESPACE = "kube-system";
    static final String IMAGE = "traefik:v3.5";
    static final String AUTH_SECRET = "traefik-dashboard-auth";

    private TraefikApp() { }

    static List<HasMetadata> objects(AppsSpec apps, String ingressNodeName, String dashboardUsers) {
        String ns = NAMESPACE;
        String staticConfig = Template.render("apps/traefik.yaml", Map.of("acme_email", apps.acmeEmail()));
        String dashboard = Template.render("apps/traefik-dashboard.yaml", Map.of("dashboard_host",
                apps.traefik().dashboardHost()));
        return List.of(
                new ServiceAccountBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).build(),
                new ClusterRoleBuilder().withMetadata(Objects.meta(NAME, null, NAME))
                        .addNewRule().withApiGroups("").withResources("services", "endpoints", "secrets", "nodes")
                        .withVerbs("get", "list", "watch").endRule()
                        .addNewRule().withApiGroups("discovery.k8s.io").withResources("endpointslices")
                        .withVerbs("get", "list", "watch").endRule()
                        .addNewRule().withApiGroups("networking.k8s.io").withResources("ingresses", "ingressclasses")
                        .withVerbs("get", "list", "watch").endRule()
                        .addNewRule().withApiGroups("networking.k8s.io").withResources("ingresses/status")
                        .withVerbs("update").endRule()
                        .build(),
                new ClusterRoleBindingBuilder().withMetadata(Objects.meta(NAME, null, NAME))
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", NAME)
                        .addNewSubject().withKind("ServiceAccount").withName(NAME).withNamespace(ns).endSubject()
                        .build(),
                new IngressClassBuilder().withMetadata(Objects.meta(NAME, null, NAME)).withNewSpec()
                        .withController("traefik.io/ingress-controller").endSpec().build(),
                new ConfigMapBuilder().withMetadata(Objects.meta("traefik-config", ns, NAME))
                        .withData(Map.of("traefik.yaml", staticConfig, "dashboard.yaml", dashboard)).build(),
                Objects.secret(AUTH_SECRET, ns, NAME, Map.of("users", new Secret(dashboardUsers))),
                new PersistentVolumeClaimBuilder().withMetadata(Objects.meta("traefik-acme", ns, NAME)).withNewSpec()
                        .withAccessModes("ReadWriteOnce").withStorageClassName(Objects.STORAGE_CLASS)
                        .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources()
                        .endSpec().build(),
                new DeploymentBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).withNewSpec().withReplicas(1)
                        // the host ports are the node's: the old pod lets go of them before the new one starts
                        .withNewStrategy().withType("Recreate").endStrategy()
                        .withNewSelector().withMatchLabels(Objects.selector(NAME)).endSelector()
                        .withNewTemplate().withNewMetadata().withLabels(Objects.selector(NAME))
                        .withAnnotations(Map.of("birdbath.dev/config-sha256", birdbath.Hashes.sha256Hex(
                                staticConfig + dashboard + dashboardUsers))).endMetadata()
                        .withNewSpec().withServiceAccountName(NAME).withHostNetwork(true)
                        .withDnsPolicy("ClusterFirstWithHostNet")
                        .withNodeSelector(Objects.onIngressNode(ingressNodeName))
                        .withTolerations(Objects.ingressNodeTolerations())
                        .addNewContainer().withName(NAME).withImage(IMAGE)
                        .withArgs("--configFile=/etc/traefik/traefik.yaml")
                        .addNewPort().withName("web").withContainerPort(80).endPort()
                        .addNewPort().withName("websecure").withContainerPort(443).endPort()
                        .addNewVolumeMount().withName("config").withMountPath("/etc/traefik/traefik.yaml")
                        .withSubPath("traefik.yaml").endVolumeMount()
                        .addNewVolumeMount().withName("config").withMountPath("/etc/traefik/dynamic/dashboard.yaml")
                        .withSubPath("dashboard.yaml").endVolumeMount()
                        .addNewVolumeMount().withName("auth").withMountPath("/etc/traefik/auth").withReadOnly(true)
                        .endVolumeMount()
                        .addNewVolumeMount().withName("acme").withMountPath("/data").endVolumeMount()
                        .endContainer()
                        .addNewVolume().withName("config").withNewConfigMap().withName("traefik-config").endConfigMap()
                        .endVolume()
                        .addNewVolume().withName("auth").withNewSecret().withSecretName(AUTH_SECRET).endSecret()
                        .endVolume()
                        .addNewVolume().withName("acme").withNewPersistentVolumeClaim().withClaimName("traefik-acme")
                        .endPersistentVolumeClaim().endVolume()
                        .endSpec().endTemplate().endSpec().build());
    }
}
