package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.testkit.IngestServices;
import birdbath.testkit.TestMosquitto;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * The packaged service (`java -jar target/owntracks2db.jar`, configured by environment alone) killed with
 * SIGKILL mid-stream and started again: every message is in the table exactly once.
 */
class KillAndRestartIT {

    /** Kept after the run: the services' output is what tells why a run failed. */
    private final Path dir = Path.of("target/kill-and-restart");

    private Process service(IngestServices services, int metricsPort) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("java", "-jar", Path.of("target/owntracks2db.jar").toAbsolutePath()
                .toString());
        pb.environment().putAll(services.env());
        pb.environment().put("OWNTRACKS2DB_METRICS_PORT", String.valueOf(metricsPort));
        Process p = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                dir.resolve("service.log").toFile())).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return p;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            assertThat(p.isAlive()).as(java.nio.file.Files.readString(dir.resolve("service.log"))).isTrue();
            assertThat(System.nanoTime()).as("the service is ready within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void killedMidStreamAndStartedAgainLosesAndDoublesNothing() throws Exception {
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.deleteIfExists(dir.resolve("service.log"));
        try (IngestServices services = new IngestServices()) {
            TestMosquitto broker = services.broker;
            int metricsPort;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                metricsPort = s.getLocalPort();
            }
            Process first = service(services, metricsPort);
            MqttClient pub = new MqttClient(broker.uri(), "publisher", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName(TestMosquitto.USER);
            o.setPassword(broker.password.toCharArray());
            o.setMaxInflight(1000);
            pub.connect(o);
            int total = 0;
            try {
                for (int i = 0; i < 6000; i++) {
                    MqttMessage m = new MqttMessage(("{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":"
                            + (1700000000 + i / 3) + "}").getBytes(StandardCharsets.UTF_8));
                    m.setQos(1);
                    pub.publish("owntracks/user" + (i % 3) + "/phone", m);
                    total++;
                    if (i == 3000) {
                        // mid-stream, as hard as it gets: no shutdown hook, no flush
                        first.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                    }
                }
                assertThat(services.locationRows()).as("some messages waited for the restart").isLessThan(total);
                Process second = service(services, metricsPort);
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    while (services.locationRows() < total) {
                        assertThat(System.nanoTime()).as("all " + total + " rows (now " + services.locationRows() + ")")
                                .isLessThan(deadline);
                        Thread.sleep(200);
                    }
                    assertThat(services.locationRows()).isEqualTo(total);
                } finally {
                    second.destroy();
                    assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("SIGTERM ends the service").isTrue();
                }
            } finally {
                pub.disconnect();
                pub.close();
                first.destroyForcibly();
            }
        }
    }
}
