package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.testkit.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Batches into a real PostgreSQL 15: every message once, whatever is written twice. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BatchWriterTest {

    private TestPostgres pg;

    @BeforeAll
    void start() throws Exception {
        pg = new TestPostgres();
        Schema.migrate(pg.url(), "postgres", pg.password);
    }

    @AfterAll
    void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private Connection connect() throws Exception {
        Connection c = DriverManager.getConnection(pg.url(), "postgres", pg.password);
        c.setAutoCommit(false);
        return c;
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static Message msg(String topic, String payload) {
        return MessageParser.parse(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tenThousandFixesFromUsersReportingInTheSameSecondAreTenThousandRowsEvenWhenWrittenTwice()
            throws Exception {
        List<Message> all = new ArrayList<>();
        String[] users = {"alice", "bob", "carol", "dave", "erin"};
        for (int i = 0; i < 1000; i++) {
            for (String u : users) {
                for (String d : new String[] {"phone", "watch"}) {
                    // every user and device reports in the same second: the original kept one of these ten
                    all.add(msg("owntracks/" + u + "/" + d, "{\"_type\":\"location\",\"lat\":52." + i + ",\"lon\":4."
                            + i + ",\"tst\":" + (1700000000 + i) + ",\"p\":101." + i + ",\"batt\":" + (i % 100) + "}"));
                }
            }
        }
        assertThat(all).hasSize(10_000).allMatch(m -> m instanceof Message.Location);
        try (Connection c = connect()) {
            int added = 0;
            for (int i = 0; i < all.size(); i += 500) {
                added += BatchWriter.write(c, all.subList(i, i + 500)).locations();
            }
            assertThat(added).isEqualTo(10_000);
            // a redelivery of everything (a crash before the acknowledgements went out) adds nothing
            assertThat(BatchWriter.write(c, all).locations()).isZero();
            assertThat(count(c, "SELECT count(*) FROM locationupdates WHERE userid <> 'poison'")).isEqualTo(10_000);
            assertThat(count(c, "SELECT count(*) FROM locationupdates WHERE tst = '2023-11-14 22:13:20'"))
                    .isEqualTo(10);
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT p, batt, tid, rawdata->>'p'"
                    + " FROM locationupdates WHERE userid = 'carol' AND device = 'watch' AND tst = '2023-11-14 22:13:27'")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getDouble(1)).isEqualTo(101.7);
                assertThat(r.getInt(2)).isEqualTo(7);
                assertThat(r.getString(3)).isEqualTo("ch");
                assertThat(r.getString(4)).isEqualTo("101.7");
            }
        }
    }

    @Test
    void otherTypesAndRejectionsAreKeptOnce() throws Exception {
        List<Message> batch = List.of(msg("owntracks/a/b/event", "{\"_type\":\"transition\",\"event\":\"leave\"}"),
                msg("owntracks/a/b", "{\"_type\":\"location\",\"lat\":\"x\"}"), msg("owntracks/a/b", "{oops"));
        try (Connection c = connect()) {
            BatchWriter.Written first = BatchWriter.write(c, batch);
            assertThat(first.others()).isEqualTo(1);
            assertThat(first.rejected()).isEqualTo(2);
            BatchWriter.Written again = BatchWriter.write(c, batch);
            assertThat(again.others() + again.rejected()).isZero();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT reason FROM rejected_messages"
                    + " WHERE topic NOT LIKE 'owntracks/poison/%' ORDER BY id")) {
                List<String> reasons = new ArrayList<>();
                while (r.next()) {
                    reasons.add(r.getString(1));
                }
                assertThat(reasons).hasSize(2).anyMatch(x -> x.contains("lat is not a number"))
                        .anyMatch(x -> x.startsWith("not JSON"));
            }
        }
    }

    /**
     * Payloads that pass the parser but that PostgreSQL refuses (a lone UTF-16 surrogate escape, which jsonb
     * cannot hold) do not stall their batch: they become rejections with PostgreSQL's reason, the rest is
     * written. A number beyond double's range is kept as it came (no "Infinity").
     */
    @Test
    void aMessagePostgresRefusesIsRejectedAndTheRestOfItsBatchIsWritten() throws Exception {
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(msg("owntracks/poison/phone", "{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":"
                    + (1600000000 + i) + "}"));
        }
        batch.add(3, msg("owntracks/poison/phone", "{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":1500000000,"
                + "\"desc\":\"\\ud800\"}"));
        batch.add(7, msg("owntracks/poison/phone", "{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":1500000001,"
                + "\"x\":1e400}"));
        batch.add(8, msg("owntracks/poison/phone/event", "{\"_type\":\"transition\",\"desc\":\"\\udc00x\"}"));
        assertThat(batch).noneMatch(m -> m instanceof Message.Rejected);
        try (Connection c = connect()) {
            BatchWriter.Written w = BatchWriter.write(c, batch);
            assertThat(w).isEqualTo(new BatchWriter.Written(11, 0, 2));
            assertThat(count(c, "SELECT count(*) FROM locationupdates WHERE userid = 'poison'")).isEqualTo(11);
            assertThat(count(c, "SELECT count(*) FROM locationupdates WHERE userid = 'poison'"
                    + " AND (rawdata->>'x')::numeric = 1e400")).isEqualTo(1);
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT reason, convert_from(payload,"
                    + " 'UTF8') FROM rejected_messages WHERE topic LIKE 'owntracks/poison/%' ORDER BY id")) {
                List<String> rows = new ArrayList<>();
                while (r.next()) {
                    rows.add(r.getString(1) + " | " + r.getString(2));
                }
                assertThat(rows).hasSize(2).allMatch(x -> x.startsWith("refused by PostgreSQL: invalid input syntax for"
                        + " type json (Unicode low surrogate must follow a high surrogate.) | ")).anyMatch(x -> x.endsWith("\"desc\":\"\\ud800\"}"));
            }
            // written again (a redelivery), the batch adds nothing
            assertThat(BatchWriter.write(c, batch)).isEqualTo(new BatchWriter.Written(0, 0, 0));
        }
    }
}
