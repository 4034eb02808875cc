package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.host.Host;
import birdbath.testkit.TestPostgres;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Job's script and SQL (PostgresRoles), as the Job would run them, against a real PostgreSQL 15 left as an
 * earlier birdbath left it (owntracks2db's database and table owned by the superuser, haircolor's history in
 * the database postgres), with the Job's own SERVICES and COPY and passwords that hold quotes, `$(...)` and a
 * backslash: each service then owns its database and nothing more, the history is there, and a second run
 * changes nothing.
 */
class PostgresRolesTest {

    static final String OWNTRACKS_PASSWORD = "it's \"quoted\" $(touch /tmp/birdbath-roles-pwned) `y` \\ ;";
    static final String HAIRCOLOR_PASSWORD = "plain-" + "x".repeat(20);

    @TempDir
    Path dir;

    @Test
    void eachServiceOwnsItsDatabaseAndNothingMoreAndASecondRunChangesNothing() throws Exception {
        try (TestPostgres pg = new TestPostgres()) {
            // as an earlier version left it
            sql(pg, "postgres", "postgres", pg.password, "CREATE DATABASE owntracks",
                    "CREATE TABLE haircolor_history (id bigserial PRIMARY KEY, since text, background text)",
                    "INSERT INTO haircolor_history (since, background) VALUES ('2017-06', '#d51f6f'), ('2024-01', 'red')");
            sql(pg, "owntracks", "postgres", pg.password, "CREATE TABLE locationupdates (id int)",
                    "INSERT INTO locationupdates VALUES (1), (2), (3)");

            Path scripts = Files.createDirectories(dir.resolve("scripts"));
            PostgresRoles.files().forEach((name, text) -> write(scripts.resolve(name), text));
            Path passwords = Files.createDirectories(dir.resolve("passwords"));
            write(passwords.resolve(Owntracks2dbApp.ROLE), OWNTRACKS_PASSWORD);
            write(passwords.resolve(HaircolorApp.ROLE), HAIRCOLOR_PASSWORD);
            Job job = (Job) PostgresRoles.objects(true, true).get(1);
            List<String> env = new ArrayList<>(List.of("PGHOST=127.0.0.1", "PGPORT=" + pg.port,
                    "PGPASSWORD=" + pg.password, "PASSWORDS=" + passwords,
                    "PATH=" + TestPostgres.BIN + ":/usr/bin:/bin"));
            for (EnvVar e : job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                if (e.getValue() != null) {
                    env.add(e.getName() + "=" + e.getValue());
                }
            }
            assertThat(env).contains("SERVICES=owntracks2db:owntracks haircolor:haircolor",
                    "COPY=haircolor:haircolor:haircolor_history");
            String first = run(env, scripts);
            assertThat(first).contains("role owntracks2db and database owntracks ready",
                    "role haircolor and database haircolor ready",
                    "haircolor_history copied from the database postgres into haircolor");
            assertThat(Path.of("/tmp/birdbath-roles-pwned")).doesNotExist();
            assertThat(run(env, scripts)).doesNotContain("copied");

            // each role owns its database: the old tables are its own, and it can make new ones
            assertThat(count(pg, "owntracks", Owntracks2dbApp.ROLE, OWNTRACKS_PASSWORD, "locationupdates")).isEqualTo(3);
            sql(pg, "owntracks", Owntracks2dbApp.ROLE, OWNTRACKS_PASSWORD, "CREATE TABLE mine (id int)",
                    "ALTER TABLE locationupdates ADD COLUMN note text");
            assertThat(count(pg, "haircolor", HaircolorApp.ROLE, HAIRCOLOR_PASSWORD, "haircolor_history")).isEqualTo(2);
            sql(pg, "haircolor", HaircolorApp.ROLE, HAIRCOLOR_PASSWORD,
                    "INSERT INTO haircolor_history (since, background) VALUES ('2026-11', 'blue')");
            // and nothing more: not the other's database, not the postgres database's tables, no superuser
            assertThatThrownBy(() -> sql(pg, "haircolor", Owntracks2dbApp.ROLE, OWNTRACKS_PASSWORD, "SELECT 1"))
                    .hasMessageContaining("permission denied for database");
            assertThatThrownBy(() -> sql(pg, "owntracks", HaircolorApp.ROLE, HAIRCOLOR_PASSWORD, "SELECT 1"))
                    .hasMessageContaining("permission denied for database");
            assertThatThrownBy(() -> count(pg, "postgres", HaircolorApp.ROLE, HAIRCOLOR_PASSWORD, "haircolor_history"))
                    .hasMessageContaining("permission denied");
            try (Connection c = DriverManager.getConnection(url(pg, "postgres"), "postgres", pg.password);
                 Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT rolname, rolsuper OR rolcreatedb OR rolcreaterole OR"
                         + " rolreplication OR rolbypassrls FROM pg_roles WHERE rolname IN ('owntracks2db', 'haircolor')")) {
                int roles = 0;
                while (r.next()) {
                    assertThat(r.getBoolean(2)).as(r.getString(1) + " has an attribute beyond LOGIN").isFalse();
                    roles++;
                }
                assertThat(roles).isEqualTo(2);
            }
        }
    }

    private String run(List<String> env, Path scripts) throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "-i"));
        command.addAll(env);
        command.addAll(List.of("sh", scripts.resolve(PostgresRoles.SCRIPT).toString()));
        Host.Result r = Host.run(Duration.ofMinutes(2), command.toArray(String[]::new));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out() + r.err()).doesNotContain(OWNTRACKS_PASSWORD).doesNotContain(HAIRCOLOR_PASSWORD);
        return r.out();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String url(TestPostgres pg, String database) {
        return "jdbc:postgresql://127.0.0.1:" + pg.port + "/" + database;
    }

    private static void sql(TestPostgres pg, String database, String user, String password, String... statements)
            throws Exception {
        try (Connection c = DriverManager.getConnection(url(pg, database), user, password);
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static long count(TestPostgres pg, String database, String user, String password, String table)
            throws Exception {
        try (Connection c = DriverManager.getConnection(url(pg, database), user, password);
             Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
            r.next();
            return r.getLong(1);
        }
    }
}
