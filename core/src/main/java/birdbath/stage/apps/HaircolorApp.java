package birdbath.stage.apps;

import birdbath.config.AppsSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * haircolor from this repository's image (side-loaded, never pulled): two replicas sharing their history in
 * PostgreSQL (without it, one replica with the history file on a glusterfs volume), a Service on port 80 (the original's), an Ingress for its host through Traefik with a Let's
 * Encrypt certificate, and the admin token in the Secret {@code haircolor}.
 */
final class HaircolorApp {

    static final String NAME = "haircolor";
    static final String TOKEN = "haircolor-admin-token";
    static final String DATA = "haircolor-data";
    /** Its PostgreSQL role and database ({@link PostgresRoles}), and the role's password's name and key. */
    static final String ROLE = "haircolor";
    static final String DATABASE = "haircolor";
    static final String DATABASE_PASSWORD = "haircolor-database-password";
    static final String DB_PASSWORD_KEY = "database-password";

    private HaircolorApp() { }

    static List<HasMetadata> objects(AppsSpec.Haircolor spec, boolean postgres, AppSecrets secrets) {
        String ns = Objects.NAMESPACE;
        List<EnvVar> env = new ArrayList<>(List.of(Objects.env("HAIRCOLOR_PORT", "8080"),
                Objects.fromSecret("HAIRCOLOR_ADMIN_TOKEN", NAME, "admin-token")));
        if (postgres) {
            env.add(Objects.env("HAIRCOLOR_DB_URL", "jdbc:postgresql://" + PostgresApp.NAME + ":5432/" + DATABASE));
            env.add(Objects.env("HAIRCOLOR_DB_USER", ROLE));
            env.add(Objects.fromSecret("HAIRCOLOR_DB_PASSWORD", NAME, DB_PASSWORD_KEY));
        } else {
            env.add(Objects.env("HAIRCOLOR_DATA_DIR", "/data"));
        }
        List<HasMetadata> objects = new ArrayList<>();
        if (!postgres) {
            // without PostgreSQL the history is a file: on a volume, so that it outlives the pod
            objects.add(new PersistentVolumeClaimBuilder().withMetadata(Objects.meta(DATA, Objects.NAMESPACE, NAME))
                    .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(Objects.STORAGE_CLASS)
                    .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources().endSpec()
                    .build());
        }
        objects.addAll(List.of(
                Objects.secret(NAME, ns, NAME, postgres ? Map.of("admin-token", secrets.password(TOKEN),
                        DB_PASSWORD_KEY, secrets.password(DATABASE_PASSWORD))
                        : Map.of("admin-token", secrets.password(TOKEN))),
                new ServiceBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).withNewSpec()
                        .withSelector(Objects.selector(NAME)).addNewPort().withName("http").withPort(80)
                        .withTargetPort(new IntOrString(8080)).endPort().endSpec().build(),
                new DeploymentBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).withNewSpec()
                        // without a shared database each replica would keep its own history
                        .withReplicas(postgres ? 2 : 1)
                        .withNewSelector().withMatchLabels(Objects.selector(NAME)).endSelector()
                        .withNewTemplate().withNewMetadata().withLabels(Objects.selector(NAME))
                        .withAnnotations(Map.of("prometheus.io/scrape", "true", "prometheus.io/port", "8080",
                                "prometheus.io/path", "/metrics")).endMetadata()
                        .withNewSpec().withVolumes(postgres ? List.of() : List.of(new VolumeBuilder().withName("data")
                                .withNewPersistentVolumeClaim().withClaimName(DATA).endPersistentVolumeClaim().build()))
                        .addNewContainer().withName(NAME).withImage(AppImages.HAIRCOLOR)
                        .withImagePullPolicy("Never").withEnv(env)
                        .withVolumeMounts(postgres ? List.of() : List.of(new VolumeMountBuilder().withName("data")
                                .withMountPath("/data").build()))
                        .addNewPort().withName("http").withContainerPort(8080).endPort()
                        // ready while its store answers; alive while it can take its own locks (restarted if not)
                        .withNewReadinessProbe().withNewHttpGet().withPath("/readyz").withPort(new IntOrString(8080))
                        .endHttpGet().withPeriodSeconds(5).endReadinessProbe()
                        .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(8080))
                        .endHttpGet().withPeriodSeconds(10).withTimeoutSeconds(5).withFailureThreshold(3)
                        .endLivenessProbe()
                        .endContainer().endSpec().endTemplate().endSpec().build(),
                new IngressBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).editMetadata()
                        .withAnnotations(Map.of("traefik.ingress.kubernetes.io/router.entrypoints", "websecure",
                                "traefik.ingress.kubernetes.io/router.tls.certresolver", "letsencrypt")).endMetadata()
                        .withNewSpec().withIngressClassName(TraefikApp.NAME)
                        .addNewRule().withHost(spec.host()).withNewHttp().addNewPath().withPath("/")
                        .withPathType("Prefix").withNewBackend().withNewService().withName(NAME).withNewPort()
                        .withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule()
                        .endSpec().build()));
        return objects;
    }
}
