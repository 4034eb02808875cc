package birdbath.testkit;

import java.util.HashMap;
import java.util.Map;

/**
 * A PostgreSQL and a Mosquitto for one owntracks2db test or benchmark, and the OWNTRACKS2DB_* variables that
 * point the service at them (plain MQTT, no database TLS); both are stopped and removed on close.
 */
public final class IngestServices implements AutoCloseable {

    public final TestPostgres pg;
    public final TestMosquitto broker;

    public IngestServices() throws Exception {
        this(TestMosquitto.MAX_INFLIGHT, false);
    }

    /** With a broker that sends each client at most {@code maxInflight} unacknowledged messages. */
    public IngestServices(int maxInflight, boolean persistentBroker) throws Exception {
        this(MosquittoProgram.host(), maxInflight, persistentBroker);
    }

    /** As above, the broker running {@code mosquitto}. */
    public IngestServices(MosquittoProgram mosquitto, int maxInflight, boolean persistentBroker) throws Exception {
        pg = new TestPostgres();
        try {
            broker = new TestMosquitto(mosquitto, null, maxInflight, persistentBroker);
        } catch (Exception | Error e) {
            pg.close();
            throw e;
        }
    }

    /** The service's environment for these two servers; a mutable copy, for tests that change a variable. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("OWNTRACKS2DB_MQTT_HOST", "127.0.0.1");
        env.put("OWNTRACKS2DB_MQTT_PORT", String.valueOf(broker.port));
        env.put("OWNTRACKS2DB_MQTT_USERNAME", TestMosquitto.USER);
        env.put("OWNTRACKS2DB_MQTT_PASSWORD", broker.password);
        env.put("OWNTRACKS2DB_DB_HOST", "127.0.0.1");
        env.put("OWNTRACKS2DB_DB_PORT", String.valueOf(pg.port));
        env.put("OWNTRACKS2DB_DB_USERNAME", "postgres");
        env.put("OWNTRACKS2DB_DB_PASSWORD", pg.password);
        env.put("OWNTRACKS2DB_DB_NAME", "postgres");
        env.put("OWNTRACKS2DB_DB_SSLMODE", "disable");
        return env;
    }

    /** Rows in owntracks2db's locationupdates table. */
    public long locationRows() throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(pg.url(), "postgres", pg.password);
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM locationupdates")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            broker.close();
        } finally {
            pg.close();
        }
    }
}
