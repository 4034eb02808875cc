package birdbath.owntracks2db;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
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

    private static final String LOCATION = "INSERT INTO locationupdates (userid, device, tst, lat, lon, acc, alt, batt,"
            + " cog, radius, vac, vel, p, t, tid, conn, bs, inregions, ssid, bssid, created_at, rawdata)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb)"
            + " ON CONFLICT (userid, device, tst) DO NOTHING";
    private static final String OTHER = "INSERT INTO other_messages (topic, userid, device, type, rawdata, digest)"
            + " VALUES (?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (topic, digest) DO NOTHING";
    private static final String REJECTED = "INSERT INTO rejected_messages (topic, payload, reason, digest)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT (topic, digest) DO NOTHING";

    private BatchWriter() { }

    /** Writes and commits {@code batch} on {@code c} (auto-commit off); rolls back and rethrows on failure. */
    static Written write(Connection c, List<Message> batch) throws SQLException {
        try (PreparedStatement loc = c.prepareStatement(LOCATION); PreparedStatement other = c.prepareStatement(OTHER);
             PreparedStatement rej = c.prepareStatement(REJECTED)) {
            int locations = 0;
            int others = 0;
            int rejected = 0;
            for (Message m : batch) {
                if (m instanceof Message.Location l) {
                    bindLocation(loc, l);
                    loc.addBatch();
                    locations++;
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
            Written w = new Written(locations == 0 ? 0 : added(loc.executeBatch()),
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

    private static void bindLocation(PreparedStatement s, Message.Location l) throws SQLException {
        s.setString(1, l.userid());
        s.setString(2, l.device());
        s.setTimestamp(3, Timestamp.valueOf(l.tst().atOffset(ZoneOffset.UTC).toLocalDateTime()));
        s.setDouble(4, l.lat());
        s.setDouble(5, l.lon());
        integer(s, 6, l.acc());
        integer(s, 7, l.alt());
        integer(s, 8, l.batt());
        integer(s, 9, l.cog());
        integer(s, 10, l.radius());
        integer(s, 11, l.vac());
        integer(s, 12, l.vel());
        if (l.p() == null) {
            s.setNull(13, Types.DOUBLE);
        } else {
            s.setDouble(13, l.p());
        }
        s.setString(14, l.t());
        s.setString(15, l.tid());
        s.setString(16, l.conn());
        integer(s, 17, l.bs());
        s.setString(18, l.inregions());
        s.setString(19, l.ssid());
        s.setString(20, l.bssid());
        s.setTimestamp(21, l.createdAt() == null ? null
                : Timestamp.valueOf(l.createdAt().atOffset(ZoneOffset.UTC).toLocalDateTime()));
        s.setString(22, l.rawdata());
    }

    private static void integer(PreparedStatement s, int i, Integer v) throws SQLException {
        if (v == null) {
            s.setNull(i, Types.INTEGER);
        } else {
            s.setInt(i, v);
        }
    }

    static byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
