package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.testkit.IngestServices;
import birdbath.testkit.TestCertificates;
import birdbath.testkit.TestMosquitto;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TLS to a real Mosquitto: the CA file is trusted, the broker's name is checked, another CA is refused. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BrokerTlsTest {

    private IngestServices services;
    private TestMosquitto broker;

    @BeforeAll
    void start() throws Exception {
        services = new IngestServices();
        broker = services.broker;
    }

    @AfterAll
    void stop() throws Exception {
        if (services != null) {
            services.close();
        }
    }

    private Settings tls(String host, Path ca) throws Exception {
        Map<String, String> env = services.env();
        env.put("OWNTRACKS2DB_MQTT_HOST", host);
        env.put("OWNTRACKS2DB_MQTT_PORT", String.valueOf(broker.tlsPort));
        env.put("OWNTRACKS2DB_MQTT_SSL", "true");
        env.put("OWNTRACKS2DB_MQTT_CA", ca.toString());
        return Settings.load(env, null);
    }

    @Test
    void overTlsWithTheCaFileMessagesArrive() throws Exception {
        try (Ingest ingest = new Ingest(tls("localhost", broker.caFile())).start()) {
            broker.publish("owntracks/tls/phone", "{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":1700000000}");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (services.locationRows() < 1) {
                assertThat(System.nanoTime()).as("the message arrives over TLS").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    @Test
    void aNameTheCertificateDoesNotCarryIsRefused() {
        // the same listener by its address: the certificate names only localhost
        assertThatThrownBy(() -> new Ingest(tls("127.0.0.1", broker.caFile())).start())
                .hasStackTraceContaining("No subject alternative names matching IP address 127.0.0.1");
    }

    @Test
    void aBrokerCertificateFromAnotherCaIsRefused(@TempDir Path dir) throws Exception {
        Path other = TestCertificates.otherCa(dir);
        assertThatThrownBy(() -> new Ingest(tls("localhost", other)).start())
                .hasStackTraceContaining("PKIX path building failed");
    }
}
