package birdbath.owntracks2db;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The original's configuration, unchanged: the OWNTRACKS2DB_* variables, or `--config FILE` with the same
 * settings as YAML (mqtt{host,port,ssl,ca,username,password}, database{host,port,username,password,dbname},
 * metrics{port}); a variable wins over the file. Plus: OWNTRACKS2DB_MQTT_TOPIC, _MQTT_CLIENT_ID,
 * _MQTT_KEEPALIVE (seconds), _DB_SSLMODE,
 * _DB_SSLROOTCERT (the CA file verify-ca/verify-full check the server against), _BATCH_SIZE,
 * _BATCH_MAX_DELAY_MS, _OTHER_TYPES (store|skip).
 */
public record Settings(String mqttHost, int mqttPort, boolean mqttSsl, String mqttCa, String mqttUsername,
                       String mqttPassword, String mqttTopic, String mqttClientId, int mqttKeepaliveSeconds,
                       String dbHost, int dbPort,
                       String dbUsername, String dbPassword, String dbName, String dbSslMode, String dbSslRootCert,
                       int metricsPort,
                       int batchSize, int batchMaxDelayMs, boolean storeOtherTypes) {

    /** Settings that cannot be used, each named with what was expected. */
    public static final class Invalid extends Exception {
        Invalid(List<String> problems) {
            super(String.join("\n", problems));
        }
    }

    /** Connecting and logging in to PostgreSQL (pgjdbc's connectTimeout and loginTimeout). */
    public static final int DB_CONNECT_SECONDS = 5;
    /** A read on an open connection (pgjdbc's socketTimeout): the longest a hung database holds the writer. */
    public static final int DB_SOCKET_SECONDS = 10;
    /** The server's own bound on a statement (a batch insert takes milliseconds). */
    public static final int DB_STATEMENT_MILLIS = 8000;

    /** The JDBC URL, with every wait on the database bounded: a hung server is an error, never a stall. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + dbHost + ":" + dbPort + "/" + dbName + "?sslmode=" + dbSslMode
                + (dbSslRootCert == null ? "" : "&sslrootcert=" + java.net.URLEncoder.encode(dbSslRootCert,
                java.nio.charset.StandardCharsets.UTF_8)) + "&ApplicationName=owntracks2db"
                + "&connectTimeout=" + DB_CONNECT_SECONDS + "&loginTimeout=" + DB_CONNECT_SECONDS
                + "&socketTimeout=" + DB_SOCKET_SECONDS + "&options=-c%20statement_timeout%3D" + DB_STATEMENT_MILLIS;
    }

    public String mqttUri() {
        return (mqttSsl ? "ssl://" : "tcp://") + mqttHost + ":" + mqttPort;
    }

    /** Secrets stay out of logs and exceptions. */
    @Override
    public String toString() {
        return "Settings[mqtt=" + mqttUri() + " topic=" + mqttTopic + " user=" + mqttUsername + ", db=" + dbUsername
                + "@" + dbHost + ":" + dbPort + "/" + dbName + " sslmode=" + dbSslMode + ", metrics=:" + metricsPort
                + ", batch=" + batchSize + "/" + batchMaxDelayMs + "ms, other types " + (storeOtherTypes ? "stored"
                : "skipped") + "]";
    }

    public static Settings load(Map<String, String> env, Path configFile) throws Invalid {
        JsonNode file = null;
        List<String> problems = new ArrayList<>();
        if (configFile != null) {
            try {
                file = new ObjectMapper(new YAMLFactory()).readTree(configFile.toFile());
            } catch (IOException e) {
                throw new Invalid(List.of(configFile + ": cannot be read as YAML: " + e.getMessage()));
            }
        }
        Reader r = new Reader(env, file, problems);
        boolean ssl = r.bool("MQTT_SSL", "mqtt", "ssl", false);
        Settings s = new Settings(r.text("MQTT_HOST", "mqtt", "host", "localhost"),
                r.port("MQTT_PORT", "mqtt", "port", ssl ? 8883 : 1883), ssl, r.text("MQTT_CA", "mqtt", "ca", null),
                r.text("MQTT_USERNAME", "mqtt", "username", null), r.text("MQTT_PASSWORD", "mqtt", "password", null),
                r.text("MQTT_TOPIC", "mqtt", "topic", "owntracks/#"),
                r.text("MQTT_CLIENT_ID", "mqtt", "client_id", "owntracks2db"),
                r.number("MQTT_KEEPALIVE", "mqtt", "keepalive", 30, 1, 3600),
                r.text("DB_HOST", "database", "host", "localhost"), r.port("DB_PORT", "database", "port", 5432),
                r.text("DB_USERNAME", "database", "username", "owntracks"),
                r.text("DB_PASSWORD", "database", "password", null),
                r.text("DB_NAME", "database", "dbname", "owntracks"),
                r.oneOf("DB_SSLMODE", "database", "sslmode", "prefer", List.of("disable", "prefer", "require",
                        "verify-ca", "verify-full")),
                r.text("DB_SSLROOTCERT", "database", "sslrootcert", null),
                r.port("METRICS_PORT", "metrics", "port", 8000),
                r.number("BATCH_SIZE", "batch", "size", 500, 1, 10_000),
                r.number("BATCH_MAX_DELAY_MS", "batch", "max_delay_ms", 200, 0, 60_000),
                r.oneOf("OTHER_TYPES", "other_types", null, "store", List.of("store", "skip")).equals("store"));
        if (s.mqttSsl() && s.mqttCa() != null && !java.nio.file.Files.isReadable(Path.of(s.mqttCa()))) {
            problems.add("OWNTRACKS2DB_MQTT_CA / mqtt.ca: " + s.mqttCa() + " is not a readable file");
        }
        if (s.dbSslRootCert() != null && !java.nio.file.Files.isReadable(Path.of(s.dbSslRootCert()))) {
            problems.add("OWNTRACKS2DB_DB_SSLROOTCERT / database.sslrootcert: " + s.dbSslRootCert()
                    + " is not a readable file");
        }
        if (s.dbSslMode().startsWith("verify") && s.dbSslRootCert() == null) {
            problems.add("OWNTRACKS2DB_DB_SSLMODE / database.sslmode: " + s.dbSslMode() + " needs the CA file to verify"
                    + " the server with: set OWNTRACKS2DB_DB_SSLROOTCERT / database.sslrootcert");
        }
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
        return s;
    }

    /** One setting: the variable OWNTRACKS2DB_NAME, else section.key in the file, else the default. */
    private record Reader(Map<String, String> env, JsonNode file, List<String> problems) {
        String raw(String var, String section, String key) {
            String v = env.get("OWNTRACKS2DB_" + var);
            if (v != null && !v.isEmpty()) {
                return v;
            }
            if (file == null) {
                return null;
            }
            JsonNode n = key == null ? file.get(section) : file.path(section).get(key);
            return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
        }

        String name(String var, String section, String key) {
            return "OWNTRACKS2DB_" + var + " / " + section + (key == null ? "" : "." + key);
        }

        String text(String var, String section, String key, String dflt) {
            String v = raw(var, section, key);
            return v == null ? dflt : v;
        }

        boolean bool(String var, String section, String key, boolean dflt) {
            String v = raw(var, section, key);
            if (v == null) {
                return dflt;
            }
            switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "yes", "1", "on": return true;
                case "false", "no", "0", "off": return false;
                default:
                    problems.add(name(var, section, key) + ": expected true or false, got '" + v + "'");
                    return dflt;
            }
        }

        int number(String var, String section, String key, int dflt, int min, int max) {
            String v = raw(var, section, key);
            if (v == null) {
                return dflt;
            }
            try {
                int n = Integer.parseInt(v.strip());
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.add(name(var, section, key) + ": expected a whole number from " + min + " to " + max + ", got '"
                    + v + "'");
            return dflt;
        }

        int port(String var, String section, String key, int dflt) {
            return number(var, section, key, dflt, 1, 65535);
        }

        String oneOf(String var, String section, String key, String dflt, List<String> allowed) {
            String v = text(var, section, key, dflt);
            if (!allowed.contains(v)) {
                problems.add(name(var, section, key) + ": expected one of " + allowed + ", got '" + v + "'");
                return dflt;
            }
            return v;
        }
    }
}
