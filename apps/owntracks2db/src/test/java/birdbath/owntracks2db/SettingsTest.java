package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The original's variables and --config file, the additions, and what a wrong value is told. */
class SettingsTest {

    @Test
    void theOriginalsVariablesAreRead() throws Exception {
        Settings s = Settings.load(Map.of("OWNTRACKS2DB_MQTT_HOST", "mqtt.example", "OWNTRACKS2DB_MQTT_SSL", "true",
                "OWNTRACKS2DB_MQTT_USERNAME", "o2db", "OWNTRACKS2DB_MQTT_PASSWORD", "mqtt-secret",
                "OWNTRACKS2DB_DB_HOST", "pg.example", "OWNTRACKS2DB_DB_PASSWORD", "db-secret",
                "OWNTRACKS2DB_DB_NAME", "tracks", "OWNTRACKS2DB_METRICS_PORT", "9100"), null);
        assertThat(s.mqttUri()).isEqualTo("ssl://mqtt.example:8883");
        assertThat(s.mqttUsername()).isEqualTo("o2db");
        assertThat(s.metricsPort()).isEqualTo(9100);
        assertThat(s.jdbcUrl()).startsWith("jdbc:postgresql://pg.example:5432/tracks?sslmode=prefer");
        assertThat(s.toString()).doesNotContain("mqtt-secret").doesNotContain("db-secret");
    }

    @Test
    void theConfigFileIsReadAndAVariableWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "mqtt:\n  host: broker\n  port: 1884\n  password: from-file\n"
                + "database:\n  host: db\n  dbname: owntracks\n  sslmode: require\nmetrics:\n  port: 8001\n");
        Settings s = Settings.load(Map.of("OWNTRACKS2DB_MQTT_HOST", "from-env"), file);
        assertThat(s.mqttUri()).isEqualTo("tcp://from-env:1884");
        assertThat(s.mqttPassword()).isEqualTo("from-file");
        assertThat(s.jdbcUrl()).startsWith("jdbc:postgresql://db:5432/owntracks?sslmode=require");
        assertThat(s.metricsPort()).isEqualTo(8001);
    }

    @Test
    void everyWrongValueIsNamedWithWhatWasExpected() {
        Map<String, String> env = new HashMap<>();
        env.put("OWNTRACKS2DB_MQTT_PORT", "eighty");
        env.put("OWNTRACKS2DB_MQTT_SSL", "maybe");
        env.put("OWNTRACKS2DB_BATCH_SIZE", "0");
        env.put("OWNTRACKS2DB_DB_SSLMODE", "always");
        env.put("OWNTRACKS2DB_DB_PASSWORD", "db-secret");
        assertThatThrownBy(() -> Settings.load(env, null)).isInstanceOf(Settings.Invalid.class)
                .hasMessageContaining("OWNTRACKS2DB_MQTT_PORT / mqtt.port: expected a whole number from 1 to 65535,"
                        + " got 'eighty'")
                .hasMessageContaining("OWNTRACKS2DB_MQTT_SSL / mqtt.ssl: expected true or false, got 'maybe'")
                .hasMessageContaining("OWNTRACKS2DB_BATCH_SIZE / batch.size: expected a whole number from 1 to 10000")
                .hasMessageContaining("OWNTRACKS2DB_DB_SSLMODE / database.sslmode: expected one of [disable, prefer,"
                        + " require, verify-ca, verify-full], got 'always'")
                .message().doesNotContain("db-secret");
    }

    @Test
    void verifyingTheDatabaseNeedsItsCaFile(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Settings.load(Map.of("OWNTRACKS2DB_DB_SSLMODE", "verify-full"), null))
                .hasMessageContaining("verify-full needs the CA file").hasMessageContaining("OWNTRACKS2DB_DB_SSLROOTCERT");
        assertThatThrownBy(() -> Settings.load(Map.of("OWNTRACKS2DB_DB_SSLMODE", "verify-full",
                "OWNTRACKS2DB_DB_SSLROOTCERT", dir.resolve("missing.crt").toString()), null))
                .hasMessageContaining("missing.crt is not a readable file");
        Path ca = Files.writeString(dir.resolve("ca dir.crt"), "x");
        Settings s = Settings.load(Map.of("OWNTRACKS2DB_DB_SSLMODE", "verify-full", "OWNTRACKS2DB_DB_SSLROOTCERT",
                ca.toString()), null);
        assertThat(s.jdbcUrl()).contains("sslmode=verify-full&sslrootcert=" + java.net.URLEncoder.encode(ca.toString(),
                java.nio.charset.StandardCharsets.UTF_8));
    }
}
