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

    /** Writes and commits {@code batch} on {@code c} (auto-commit off); rolls back and rethrows on failure. */
    static Written write(Connection c, List<Message> batch) throws SQLException {
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
        Object[][] cols = new Object[22][n];
        for (int i = 0; i < n; i++) {
            Message.Location l = ls.get(i);
            Object[] row = {l.userid(), l.device(), utc(l.tst()), l.lat(), l.lon(), l.acc(), l.alt(), l.batt(), l.cog(),
                    l.radius(), l.vac(), l.vel(), l.p(), l.t(), l.tid(), l.conn(), l.bs(), l.inregions(), l.ssid(),
                    l.bssid(), l.createdAt() == null ? null : utc(l.createdAt()), l.rawdata()};
            for (int col = 0; col < row.length; col++) {
                cols[col][i] = row[col];
            }
        }
        String[] types = {"text", "text", "timestamp", "float8", "float8", "int4", "int4", "int4", "int4", "int4",
                "int4", "int4", "float8", "text", "text", "text", "int4", "text", "text", "text", "timestamp", "text"};
        for (int col = 0; col < types.length; col++) {
            s.setArray(col + 1, c.createArrayOf(types[col], cols[col]));
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
