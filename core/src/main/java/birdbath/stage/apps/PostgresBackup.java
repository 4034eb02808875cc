package birdbath.stage.apps;

import birdbath.config.BackupsSpec;
import birdbath.stage.Template;
import birdbath.stage.backup.BackupSchedule;
import birdbath.stage.backup.BackupStage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import java.util.List;
import java.util.Map;

/**
 * With `backups:` and PostgreSQL: a CronJob on backups.schedule (in UTC, as the etcd timers) runs
 * postgres-backup.sh in the postgres image against the Service, as the superuser (pg_dumpall reads the roles
 * too, which only it may), writing into the GlusterFS volume's backups directory through the node's own mount
 * (a hostPath that must exist: on a node whose mount is missing the pod fails rather than write beneath it).
 * One at a time; a run that fails is not retried before the next.
 */
final class PostgresBackup {

    static final String NAME = "postgres-backup";
    static final String SCRIPT = "postgres-backup.sh";
    /** Where the pod sees {@link BackupStage#POSTGRES_DIR}. */
    static final String MOUNTED = "/backups";

    private PostgresBackup() { }

    /** The script, writing into {@code dir} (the pod's {@link #MOUNTED}). */
    static String script(BackupsSpec backups, String dir) {
        return Template.render("apps/" + SCRIPT, Map.of("keep", String.valueOf(backups.keep()), "dir", dir));
    }

    static List<HasMetadata> objects(BackupsSpec backups) {
        return List.of(new CronJobBuilder().withMetadata(Objects.meta(NAME, Objects.NAMESPACE, PostgresApp.NAME))
                .withNewSpec().withSchedule(BackupSchedule.cron(backups)).withTimeZone(BackupSchedule.TIME_ZONE)
                .withConcurrencyPolicy("Forbid").withSuccessfulJobsHistoryLimit(3).withFailedJobsHistoryLimit(3)
                .withNewJobTemplate().withNewSpec().withBackoffLimit(0)
                .withNewTemplate().withNewMetadata().withLabels(Objects.selector(NAME)).endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName(NAME).withImage(PostgresApp.IMAGE)
                .withCommand("sh", "-c", script(backups, MOUNTED))
                .withEnv(Objects.env("PGHOST", PostgresApp.NAME), Objects.env("PGUSER", "postgres"),
                        Objects.fromSecret("PGPASSWORD", PostgresApp.NAME, "password"))
                .addNewVolumeMount().withName("backups").withMountPath(MOUNTED).endVolumeMount().endContainer()
                .addNewVolume().withName("backups").withNewHostPath().withPath(BackupStage.POSTGRES_DIR)
                .withType("Directory").endHostPath().endVolume()
                .endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build());
    }
}
