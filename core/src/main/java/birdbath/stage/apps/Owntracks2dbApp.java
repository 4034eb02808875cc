package birdbath.stage.apps;

import birdbath.Secret;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * owntracks2db from this repository's image: its settings in the Secret {@code owntracks2db-configuration}
 * under the original's variable names (so the original's Secret keys still fit), the broker reached over TLS
 * by its in-cluster name with the cluster CA, locations into PostgreSQL's database {@code owntracks} as the role
 * {@code owntracks2db}, which owns that database and nothing else ({@link PostgresRoles}), and a metrics Service
 * on 8000 annotated for Prometheus.
 */
final class Owntracks2dbApp {

    static final String NAME = "owntracks2db";
    static final String CONFIGURATION = "owntracks2db-configuration";
    static final String DATABASE = "owntracks";
    /** Its PostgreSQL role, and where that role's generated password is kept (.birdbath/secrets/apps/). */
    static final String ROLE = "owntracks2db";
    static final String DATABASE_PASSWORD = "owntracks2db-database-password";
    /** The key of {@link #CONFIGURATION} that holds the database password. */
    static final String DB_PASSWORD_KEY = "OWNTRACKS2DB_DB_PASSWORD";

    private Owntracks2dbApp() { }

    static List<HasMetadata> objects(AppSecrets secrets) {
        String ns = Objects.NAMESPACE;
        Map<String, Secret> settings = new LinkedHashMap<>();
        settings.put("OWNTRACKS2DB_MQTT_HOST", new Secret(MosquittoApp.NAME + "." + ns + ".svc.cluster.local"));
        settings.put("OWNTRACKS2DB_MQTT_PORT", new Secret("8883"));
        settings.put("OWNTRACKS2DB_MQTT_SSL", new Secret("true"));
        settings.put("OWNTRACKS2DB_MQTT_CA", new Secret("/etc/owntracks2db/ca.crt"));
        settings.put("OWNTRACKS2DB_MQTT_USERNAME", new Secret(NAME));
        settings.put("OWNTRACKS2DB_MQTT_PASSWORD", MosquittoApp.password(secrets, NAME));
        settings.put("OWNTRACKS2DB_DB_HOST", new Secret(PostgresApp.NAME));
        settings.put("OWNTRACKS2DB_DB_PORT", new Secret("5432"));
        settings.put("OWNTRACKS2DB_DB_USERNAME", new Secret(ROLE));
        settings.put(DB_PASSWORD_KEY, secrets.password(DATABASE_PASSWORD));
        settings.put("OWNTRACKS2DB_DB_NAME", new Secret(DATABASE));
        settings.put("OWNTRACKS2DB_METRICS_PORT", new Secret("8000"));
        return List.of(
                Objects.secret(CONFIGURATION, ns, NAME, settings),
                new ServiceBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).editMetadata()
                        .withAnnotations(Map.of("prometheus.io/scrape", "true", "prometheus.io/port", "8000"))
                        .endMetadata().withNewSpec().withSelector(Objects.selector(NAME)).addNewPort()
                        .withName("metrics").withPort(8000).withTargetPort(new IntOrString(8000)).endPort().endSpec()
                        .build(),
                new DeploymentBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).withNewSpec().withReplicas(1)
                        // one client id, one session: two replicas would take the session from each other
                        .withNewStrategy().withType("Recreate").endStrategy()
                        .withNewSelector().withMatchLabels(Objects.selector(NAME)).endSelector()
                        .withNewTemplate().withNewMetadata().withLabels(Objects.selector(NAME)).endMetadata()
                        .withNewSpec().withTerminationGracePeriodSeconds(60L)
                        .addNewContainer().withName(NAME).withImage(AppImages.OWNTRACKS2DB).withImagePullPolicy("Never")
                        .addNewEnvFrom().withNewSecretRef().withName(CONFIGURATION).endSecretRef().endEnvFrom()
                        .addNewPort().withName("metrics").withContainerPort(8000).endPort()
                        .withNewReadinessProbe().withNewHttpGet().withPath("/readyz").withPort(new IntOrString(8000))
                        .endHttpGet().withPeriodSeconds(5).endReadinessProbe()
                        .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(8000))
                        .endHttpGet().withPeriodSeconds(10).endLivenessProbe()
                        .addNewVolumeMount().withName("ca").withMountPath("/etc/owntracks2db").withReadOnly(true)
                        .endVolumeMount()
                        .endContainer()
                        .addNewVolume().withName("ca").withNewSecret().withSecretName(MosquittoApp.SECRETS)
                        .addNewItem().withKey("ca-certificate").withPath("ca.crt").endItem().endSecret().endVolume()
                        .endSpec().endTemplate().endSpec().build());
    }
}
