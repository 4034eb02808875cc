package birdbath.stage.apps;

import birdbath.config.AppsSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL from the official image: a StatefulSet of one with its data on a glusterfs volume, the
 * superuser's generated password in the Secret {@code postgres} (for {@link PostgresRoles}' Job and the
 * {@link PostgresBackup} dumps only: each service has a role and database of its own), a Service on 5432 inside
 * the cluster.
 */
final class PostgresApp {

    static final String NAME = "postgres";
    static final String IMAGE = "postgres:16";
    static final String PASSWORD = "postgres-password";

    private PostgresApp() { }

    static List<HasMetadata> objects(AppsSpec.Postgres spec, AppSecrets secrets) {
        String ns = Objects.NAMESPACE;
        return List.of(
                Objects.secret(NAME, ns, NAME, Map.of("password", secrets.password(PASSWORD))),
                new ServiceBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).withNewSpec()
                        .withSelector(Objects.selector(NAME)).addNewPort().withName("postgres").withPort(5432)
                        .withTargetPort(new IntOrString(5432)).endPort().endSpec().build(),
                new StatefulSetBuilder().withMetadata(Objects.meta(NAME, ns, NAME)).withNewSpec()
                        .withServiceName(NAME).withReplicas(1)
                        .withNewSelector().withMatchLabels(Objects.selector(NAME)).endSelector()
                        .withNewTemplate().withNewMetadata().withLabels(Objects.selector(NAME)).endMetadata()
                        .withNewSpec().addNewContainer().withName(NAME).withImage(IMAGE)
                        .withEnv(Objects.fromSecret("POSTGRES_PASSWORD", NAME, "password"),
                                // a directory below the mount point: initdb refuses a non-empty one (lost+found)
                                Objects.env("PGDATA", "/var/lib/postgresql/data/pgdata"))
                        .addNewPort().withName("postgres").withContainerPort(5432).endPort()
                        .withNewReadinessProbe().withNewExec().withCommand("pg_isready", "-U", "postgres").endExec()
                        .withPeriodSeconds(5).endReadinessProbe()
                        .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount()
                        .endContainer().endSpec().endTemplate()
                        .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().withNewSpec()
                        .withAccessModes("ReadWriteOnce").withStorageClassName(Objects.STORAGE_CLASS)
                        .withNewResources().withRequests(Map.of("storage", new Quantity(spec.sizeGb() + "Gi")))
                        .endResources().endSpec().endVolumeClaimTemplate()
                        .endSpec().build());
    }
}
