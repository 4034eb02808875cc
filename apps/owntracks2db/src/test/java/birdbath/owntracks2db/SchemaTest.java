package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.testkit.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The migrations against a real PostgreSQL 15: a new database, and one the original service filled. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SchemaTest {

    /** The original service's DDL, verbatim (REFERENCE.md). */
    static final String ORIGINAL_DDL = "CREATE TABLE locationupdates(acc int, alt int, batt int, cog int, lat float,"
            + " lon float, radius int, t char(1), tid varchar(16), tst timestamp PRIMARY KEY, vac int, vel int,"
            + " p int, conn char(1), rawdata json, userid varchar(64), device varchar(64))";

    private TestPostgres pg;

    @BeforeAll
    void start() throws Exception {
        pg = new TestPostgres();
    }

    @AfterAll
    void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private String database(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.url(), "postgres", pg.password);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return pg.url().replace("/postgres", "/" + name);
    }

    private List<String> column(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    private static List<String> key(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT a.attname FROM pg_index i"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                + " WHERE i.indrelid = 'locationupdates'::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)")) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    @Test
    void aNewDatabaseGetsTheWholeSchemaAndASecondRunDoesNothing() throws Exception {
        String url = database("fresh");
        assertThat(Schema.migrate(url, "postgres", pg.password)).isEqualTo(2);
        assertThat(Schema.migrate(url, "postgres", pg.password)).isZero();
        try (Connection c = DriverManager.getConnection(url, "postgres", pg.password)) {
            assertThat(key(c)).containsExactly("userid", "device", "tst");
            assertThat(column(c, "SELECT data_type FROM information_schema.columns WHERE table_name = 'locationupdates'"
                    + " AND column_name = 'p'")).containsExactly("double precision");
            assertThat(column(c, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                    + " ORDER BY 1")).contains("locationupdates", "other_messages", "rejected_messages");
        }
    }

    @Test
    void theOriginalsTableIsUpgradedInPlaceWithEveryRow() throws Exception {
        String url = database("original");
        try (Connection c = DriverManager.getConnection(url, "postgres", pg.password);
             Statement s = c.createStatement()) {
            s.execute(ORIGINAL_DDL);
            s.execute("INSERT INTO locationupdates (lat, lon, tst, p, rawdata, userid, device, tid) VALUES"
                    + " (52.1, 4.3, '2019-05-01 10:00:00', 101, '{\"_type\":\"location\",\"p\":101.2}', 'alice',"
                    + " 'phone', 'ph'),"
                    + " (52.2, 4.4, '2019-05-01 10:00:01', NULL, '{\"_type\":\"location\"}', NULL, NULL, NULL)");
        }
        assertThat(Schema.migrate(url, "postgres", pg.password)).isEqualTo(2);
        try (Connection c = DriverManager.getConnection(url, "postgres", pg.password);
             Statement s = c.createStatement()) {
            assertThat(column(c, "SELECT userid || '/' || device || ' ' || tst || ' ' || coalesce(p::text, '-') FROM"
                    + " locationupdates ORDER BY tst")).containsExactly("alice/phone 2019-05-01 10:00:00 101",
                    "/ 2019-05-01 10:00:01 -");
            assertThat(column(c, "SELECT rawdata->>'p' FROM locationupdates WHERE userid = 'alice'"))
                    .containsExactly("101.2");
            assertThat(key(c)).containsExactly("userid", "device", "tst");
            // the original's flaw: a second user's fix in the same second now stays
            s.execute("INSERT INTO locationupdates (lat, lon, tst, p, userid, device) VALUES"
                    + " (48.8, 2.3, '2019-05-01 10:00:00', 99.7, 'bob', 'tablet')");
            assertThat(column(c, "SELECT p FROM locationupdates WHERE tst = '2019-05-01 10:00:00' ORDER BY userid"))
                    .containsExactly("101", "99.7");
        }
    }
}
