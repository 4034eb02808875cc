package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.config.BackupsSpec;
import birdbath.host.Host;
import birdbath.stage.backup.BackupStage;
import birdbath.testkit.TestPostgres;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * postgres-backup.sh as the CronJob runs it (sh -c, the connection from PGHOST, PGUSER and PGPASSWORD), against a
 * real PostgreSQL 15 (the CronJob's image has 16; the script uses nothing 16 added): a dump a fresh server
 * restores (database, table and rows back), 0600, only the newest backups.keep kept; a run that cannot connect
 * leaves nothing behind, not even a partial file; with a dump named in the future (a clock once ahead) nothing
 * is pruned, so the new one is not the first to go, and the exit code is the one the Job fails on at once. And the CronJob that runs it: the schedule in UTC, one run at a
 * time, the volume's directory as a hostPath that must exist.
 */
class PostgresBackupTest {

    @TempDir
    Path dir;

    @Test
    void dumpsAFreshServerRestoresKeepsTheNewestAndAFailedRunLeavesNothing() throws Exception {
        Path backups = Files.createDirectory(dir.resolve("backups"));
        String script = PostgresBackup.script(new BackupsSpec(true, "daily", 2), backups.toString());
        try (TestPostgres pg = new TestPostgres(); TestPostgres fresh = new TestPostgres()) {
            sql(pg, "postgres", "CREATE DATABASE owntracks");
            sql(pg, "owntracks", "CREATE TABLE locationupdates (id int, tid text)",
                    "INSERT INTO locationupdates VALUES (1, 'ab'), (2, 'ab'), (3, 'cd')");
            for (int i = 0; i < 3; i++) {
                Host.Result r = run(script, pg, pg.password);
                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(r.out()).matches("dumped postgres-\\d{8}T\\d{6}\\.\\d{3}Z\\.sql\\.gz \\(\\d+ bytes\\)\\n");
                assertThat(r.out() + r.err()).doesNotContain(pg.password);
            }
            List<Path> kept = files(backups);
            assertThat(kept).hasSize(2).allSatisfy(f -> assertThat(PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(f))).isEqualTo("rw-------"));

            Host.Result failed = run(script, pg, "not-the-password");
            assertThat(failed.exit()).isNotZero();
            assertThat(files(backups)).as("after a run that could not connect").isEqualTo(kept);

            // a dump named in the future (a clock once ahead): the new one would be pruned first, so none is
            Path ahead = Files.writeString(backups.resolve("postgres-29991231T235959.999Z.sql.gz"), "");
            Path stray = Files.writeString(backups.resolve("postgres-notes.sql.gz"), "");
            Host.Result refused = run(script, pg, pg.password);
            assertThat(refused.exit()).as("the Job's podFailurePolicy fails it at once on this code")
                    .isEqualTo(PostgresBackup.KEPT_ALL);
            assertThat(refused.err()).contains("kept every dump: " + ahead + " sorts after the one just made");
            assertThat(files(backups)).hasSize(5).contains(ahead, stray).containsAll(kept);
            Files.delete(ahead);
            Host.Result next = run(script, pg, pg.password);
            assertThat(next.exit()).as(next.err()).isZero();
            List<Path> now = files(backups);
            assertThat(now).as("the newest two kept; a file the script did not name never counted").hasSize(3)
                    .contains(stray).doesNotContainAnyElementsOf(kept);
            kept = now.stream().filter(f -> !f.equals(stray)).toList();

            // the newest dump into a server that never held the data, whose superuser has the cluster's password
            // (as a server rebuilt from the same Secret would): the dump sets it and connects again after that
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + fresh.port + "/postgres",
                    "postgres", fresh.password); Statement s = c.createStatement()) {
                s.execute("ALTER ROLE postgres PASSWORD '" + pg.password + "'");
            }
            Host.Result restored = Host.run(Duration.ofMinutes(2), "env", "-i", "PGPASSWORD=" + pg.password,
                    "bash", "-c", "{ gunzip -c \"$1\"; printf '\\\\c owntracks\\nSELECT count(*), max(tid) FROM"
                            + " locationupdates;\\n'; } | " + TestPostgres.BIN + "/psql -X -q -At -h 127.0.0.1 -p "
                            + fresh.port + " -U postgres -d postgres 2>/dev/null | tail -1", "sh",
                    kept.get(1).toString());
            assertThat(restored.out().strip()).isEqualTo("3|cd");
        }
    }

    @Test
    void theCronJobRunsItOnTheScheduleInUtcOneAtATimeIntoTheVolume() {
        CronJob job = (CronJob) PostgresBackup.objects(new BackupsSpec(true, "07:30", 5)).get(0);
        assertThat(job.getSpec().getSchedule()).isEqualTo("30 7 * * *");
        assertThat(job.getSpec().getTimeZone()).isEqualTo("Etc/UTC");
        assertThat(job.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        PodSpec pod = job.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes().get(0).getHostPath().getPath()).isEqualTo(BackupStage.POSTGRES_DIR);
        assertThat(pod.getVolumes().get(0).getHostPath().getType()).isEqualTo("Directory");
        assertThat(job.getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds()).isEqualTo(3600L);
        PodFailurePolicyRule failJob = job.getSpec().getJobTemplate().getSpec().getPodFailurePolicy().getRules().get(0);
        assertThat(failJob.getAction()).isEqualTo("FailJob");
        assertThat(failJob.getOnExitCodes().getContainerName()).isEqualTo(job.getSpec().getJobTemplate().getSpec()
                .getTemplate().getSpec().getContainers().get(0).getName());
        assertThat(failJob.getOnExitCodes().getValues()).containsExactly(PostgresBackup.KEPT_ALL);
        assertThat(job.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getRestartPolicy())
                .as("a podFailurePolicy needs it").isEqualTo("Never");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(BackupStage.DUMP_UID);
        Container c = pod.getContainers().get(0);
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getImage()).isEqualTo(PostgresApp.IMAGE);
        assertThat(c.getCommand().get(2)).contains("keep=5").contains("dir=" + PostgresBackup.MOUNTED);
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("PGPASSWORD")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(PostgresApp.NAME));
    }

    private static Host.Result run(String script, TestPostgres pg, String password) {
        return Host.run(Duration.ofMinutes(2), "env", "-i", "PGHOST=127.0.0.1", "PGPORT=" + pg.port, "PGUSER=postgres",
                "PGPASSWORD=" + password, "PATH=" + TestPostgres.BIN + ":/usr/bin:/bin", "sh", "-c", script);
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.sorted().toList());
        }
    }

    private static void sql(TestPostgres pg, String database, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port + "/" + database,
                "postgres", pg.password); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
