package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.testkit.IngestServices;
import birdbath.testkit.TestCertificates;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to a real PostgreSQL whose certificate names localhost: verify-full with the CA file connects over TLS
 * (the server's pg_stat_ssl says so), a name the certificate does not carry and another CA are refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DatabaseTlsTest {

    private IngestServices services;
    private TestCertificates certs;

    @BeforeAll
    void start() throws Exception {
        services = new IngestServices();
        certs = services.pg.enableTls();
    }

    @AfterAll
    void stop() throws Exception {
        if (services != null) {
            services.close();
        }
    }

    private Settings verifyFull(String host, Path ca) throws Exception {
        Map<String, String> env = services.env();
        env.put("OWNTRACKS2DB_DB_HOST", host);
        env.put("OWNTRACKS2DB_DB_SSLMODE", "verify-full");
        env.put("OWNTRACKS2DB_DB_SSLROOTCERT", ca.toString());
        return Settings.load(env, null);
    }

    @Test
    void verifyFullWithTheCaFileWritesOverTls() throws Exception {
        try (Ingest ingest = new Ingest(verifyFull("localhost", certs.ca)).start()) {
            services.broker.publish("owntracks/tls/phone",
                    "{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":1700000000}");
            // the row, and the writer's connection seen from the server
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (services.locationRows() < 1 || !writerUsesTls()) {
                assertThat(System.nanoTime()).as("the writer connects over TLS").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    private boolean writerUsesTls() throws Exception {
        try (Connection c = DriverManager.getConnection(services.pg.url(), "postgres", services.pg.password);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT bool_and(s.ssl), count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a"
                     + " USING (pid) WHERE a.application_name = 'owntracks2db'")) {
            r.next();
            return r.getLong(2) > 0 && r.getBoolean(1);
        }
    }

    @Test
    void aNameTheCertificateDoesNotCarryIsRefused() {
        assertThatThrownBy(() -> new Ingest(verifyFull("127.0.0.1", certs.ca)).start())
                .hasStackTraceContaining("The hostname 127.0.0.1 could not be verified");
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefused(@TempDir Path dir) throws Exception {
        Path other = TestCertificates.otherCa(dir);
        assertThatThrownBy(() -> new Ingest(verifyFull("localhost", other)).start())
                .hasStackTraceContaining("PKIX path");
    }
}
