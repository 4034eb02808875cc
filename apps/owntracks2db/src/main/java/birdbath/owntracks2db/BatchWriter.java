package birdbath.owntracks2db;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes a batch of messages in one transaction: locations into locationupdates, other _types into
 * other_messages, rejections into rejected_messages. A redelivered message finds its row already there
 * (ON CONFLICT DO NOTHING), so a batch can be written again after a crash or a failed commit without doubling.
 */
final class BatchWriter {

    /** Rows the batch added (a redelivered message adds none). */
    record Written(int locations, int others, int rejected) { }

    /** All of a batch's locations in one statement: arrays unnested into rows (one round trip, one plan). */
    private static final String LOCATIONS = "INSERT INTO locationupdates (userid, device, tst, lat, lon, acc, alt, batt,"
            + " cog, radius, vac, vel, p, t, tid, conn, bs, inregions, ssid, bssid, created_at, rawdata)"
            + " SELECT * FROM unnest(?::text[], ?::text[], ?::timestamp[], ?::float8[], ?::float8[], ?::int[],"
            + " ?::int[], ?::int[], ?::int[], ?::int[], ?::int[], ?::int[], ?::float8[], ?::text[], ?::text[],"
            + " ?::text[], ?::int[], ?::jsonb[], ?::text[], ?::text[], ?::timestamp[], ?::jsonb[])"
            + " ON CONFLICT (userid, device, tst) DO NOTHING";
    private static final String OTHER = "INSERT INTO other_messages (topic, userid, device, type, rawdata, digest)"
            + " VALUES (?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (topic, digest) DO NOTHING";
    private static final String REJECTED = "INSERT INTO rejected_messages (topic, payload, reason, digest)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT (topic, digest) DO NOTHING";

    private BatchWriter() { }

    /**
     * Writes and commits {@code batch} on {@code c} (auto-commit off). When PostgreSQL refuses the data itself
     * (a value jsonb cannot hold, say), the batch is written again message by message and the refused ones
     * become rejections with PostgreSQL's reason, so one message cannot stall the stream. Any other failure
     * (the connection, the server) is rolled back and thrown, for the caller to retry the same batch.
     */
    static Written write(Connection c, List<Message> batch) throws SQLException {
        try {
            return writeTogether(c, batch);
        } catch (SQLException e) {
            if (!refusesTheData(e) || batch.size() == 0) {
                throw e;
            }
            int locations = 0;
            int others = 0;
            int rejected = 0;
            for (Message m : batch) {
                Written w;
                try {
                    w = writeTogether(c, List.of(m));
                } catch (SQLException one) {
                    if (!refusesTheData(one)) {
                        throw one;
                    }
                    w = writeTogether(c, List.of(m.refused("refused by PostgreSQL: " + reason(one))));
                }
                locations += w.locations();
                others += w.others();
                rejected += w.rejected();
            }
            return new Written(locations, others, rejected);
        }
    }

    /** The server's message and detail, without the statement a batch failure quotes. */
    private static String reason(SQLException e) {
        SQLException cause = e instanceof java.sql.BatchUpdateException && e.getNextException() != null
                ? e.getNextException() : e;
        if (cause instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
            org.postgresql.util.ServerErrorMessage m = p.getServerErrorMessage();
            return m.getMessage() + (m.getDetail() == null ? "" : " (" + m.getDetail() + ")");
        }
        return cause.getMessage();
    }

    /** SQLSTATE class 22 (data exception) or 54 (a limit such as a too long value): the data, not the server. */
    private static boolean refusesTheData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("54"));
    }

    private static Written writeTogether(Connection c, List<Message> batch) throws SQLException {
        try (PreparedStatement loc = c.prepareStatement(LOCATIONS); PreparedStatement other = c.prepareStatement(OTHER);
             PreparedStatement rej = c.prepareStatement(REJECTED)) {
            List<Message.Location> locations = new java.util.ArrayList<>();
            int others = 0;
            int rejected = 0;
            for (Message m : batch) {
                if (m instanceof Message.Location l) {
                    locations.add(l);
                } else if (m instanceof Message.Other o) {
                    other.setString(1, o.topic());
                    other.setString(2, o.userid());
                    other.setString(3, o.device());
                    other.setString(4, o.type());
                    other.setString(5, o.rawdata());
                    other.setBytes(6, digest(o.rawdata().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    other.addBatch();
                    others++;
                } else if (m instanceof Message.Rejected r) {
                    rej.setString(1, r.topic());
                    rej.setBytes(2, r.payload());
                    rej.setString(3, r.reason());
                    rej.setBytes(4, digest(r.payload()));
                    rej.addBatch();
                    rejected++;
                }
            }
            Written w = new Written(locations.isEmpty() ? 0 : bindLocations(c, loc, locations).executeUpdate(),
                    others == 0 ? 0 : added(other.executeBatch()), rejected == 0 ? 0 : added(rej.executeBatch()));
            c.commit();
            return w;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is gone; the caller reconnects
            }
            throw e;
        }
    }

    private static int added(int[] counts) {
        int n = 0;
        for (int c : counts) {
            n += Math.max(c, 0);
        }
        return n;
    }

    private static PreparedStatement bindLocations(Connection c, PreparedStatement s, List<Message.Location> ls)
            throws SQLException {
        int n = ls.size();
        String[] userid = new String[n];
        String[] device = new String[n];
        Timestamp[] tst = new Timestamp[n];
        Double[] lat = new Double[n];
        Double[] lon = new Double[n];
        Integer[][] ints = new Integer[7][n]; // acc, alt, batt, cog, radius, vac, vel
        Double[] p = new Double[n];
        String[][] texts = new String[3][n]; // t, tid, conn
        Integer[] bs = new Integer[n];
        String[] inregions = new String[n];
        String[] ssid = new String[n];
        String[] bssid = new String[n];
        Timestamp[] created = new Timestamp[n];
        String[] raw = new String[n];
        for (int i = 0; i < n; i++) {
            Message.Location l = ls.get(i);
            userid[i] = l.userid();
            device[i] = l.device();
            tst[i] = utc(l.tst());
            lat[i] = l.lat();
            lon[i] = l.lon();
            Integer[] row = {l.acc(), l.alt(), l.batt(), l.cog(), l.radius(), l.vac(), l.vel()};
            for (int k = 0; k < row.length; k++) {
                ints[k][i] = row[k];
            }
            p[i] = l.p();
            texts[0][i] = l.t();
            texts[1][i] = l.tid();
            texts[2][i] = l.conn();
            bs[i] = l.bs();
            inregions[i] = l.inregions();
            ssid[i] = l.ssid();
            bssid[i] = l.bssid();
            created[i] = l.createdAt() == null ? null : utc(l.createdAt());
            raw[i] = l.rawdata();
        }
        // typed Java arrays: the driver sends numbers and text in binary, which PostgreSQL reads faster than
        // array literals
        Object[] columns = {userid, device, c.createArrayOf("timestamp", tst), lat, lon, ints[0], ints[1], ints[2],
                ints[3], ints[4], ints[5], ints[6], p, texts[0], texts[1], texts[2], bs, inregions, ssid, bssid,
                c.createArrayOf("timestamp", created), raw};
        for (int col = 0; col < columns.length; col++) {
            s.setObject(col + 1, columns[col]);
        }
        return s;
    }

    private static Timestamp utc(java.time.Instant t) {
        return Timestamp.valueOf(t.atOffset(ZoneOffset.UTC).toLocalDateTime());
    }

    static byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
