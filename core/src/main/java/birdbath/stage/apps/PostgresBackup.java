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
 * One at a time, at most an hour each. The namespace must allow hostPath (Pod Security "privileged"; birdbath
 * labels no namespace).
 */
final class PostgresBackup {

    static final String NAME = "postgres-backup";
    static final String SCRIPT = "postgres-backup.sh";
    /**
     * The script's exit when the dump was made but nothing pruned (a dump sorts after it: a clock once ahead): the
     * Job fails at once (podFailurePolicy) rather than retry and make another dump with the same outcome.
     */
    static final int KEPT_ALL = 3;
    /** Where the pod sees {@link BackupStage#POSTGRES_DIR}. */
    static final String MOUNTED = "/backups";

    private PostgresBackup() { }

    /** The script, writing into {@code dir} (the pod's {@link #MOUNTED}). */
    static String script(BackupsSpec backups, String dir) {
        return Template.render("apps/" + SCRIPT, Map.of("keep", String.valueOf(backups.keep()), "dir", dir,
                "keep_newest", BackupStage.keepNewest(), "kept_all", String.valueOf(KEPT_ALL)));
    }

    /** The CronJob by name only: what goes when backups are turned off or PostgreSQL is no longer run. */
    static HasMetadata named() {
        return new CronJobBuilder().withMetadata(Objects.meta(NAME, Objects.NAMESPACE, PostgresApp.NAME)).build();
    }

    static List<HasMetadata> objects(BackupsSpec backups) {
        long uid = BackupStage.DUMP_UID;
        return List.of(new CronJobBuilder().withMetadata(Objects.meta(NAME, Objects.NAMESPACE, PostgresApp.NAME))
                .withNewSpec().withSchedule(BackupSchedule.cron(backups)).withTimeZone(BackupSchedule.TIME_ZONE)
                .withConcurrencyPolicy("Forbid").withSuccessfulJobsHistoryLimit(3).withFailedJobsHistoryLimit(3)
                // a hung dump ends within the hour, so Forbid does not skip every later one; a passing fault
                // (the database restarting) gets two more tries, a pod evicted by a drain not counted as one;
                // a run that says retrying cannot help (KEPT_ALL) ends it
                .withNewJobTemplate().withNewSpec().withBackoffLimit(2).withActiveDeadlineSeconds(3600L)
                .withNewPodFailurePolicy()
                .addNewRule().withAction("FailJob").withNewOnExitCodes().withContainerName(NAME).withOperator("In")
                .withValues(KEPT_ALL).endOnExitCodes().endRule()
                .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget")
                .withStatus("True").endOnPodCondition().endRule()
                .endPodFailurePolicy()
                .withNewTemplate().withNewMetadata().withLabels(Objects.selector(NAME)).endMetadata()
                // the image's postgres user, who owns the directory; no API token, no privilege, nothing written
                // but the dump
                .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(uid).withRunAsGroup(uid)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer().withName(NAME).withImage(PostgresApp.IMAGE)
                .withCommand("sh", "-c", script(backups, MOUNTED))
                .withEnv(Objects.env("PGHOST", PostgresApp.NAME), Objects.env("PGUSER", "postgres"),
                        Objects.fromSecret("PGPASSWORD", PostgresApp.NAME, "password"))
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("backups").withMountPath(MOUNTED).endVolumeMount().endContainer()
                .addNewVolume().withName("backups").withNewHostPath().withPath(BackupStage.POSTGRES_DIR)
                .withType("Directory").endHostPath().endVolume()
                .endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build());
    }
}
