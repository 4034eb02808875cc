package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.testkit.ImageRun;
import birdbath.testkit.IngestServices;
import birdbath.testkit.TestMosquitto;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image tarball `mvn package` wrote runs: its entrypoint, as its user, configured by environment alone,
 * gets ready and stores a location published to a real Mosquitto in a real PostgreSQL.
 */
class Owntracks2dbImageIT {

    @TempDir
    Path dir;

    @Test
    void theImageIngestsALocation() throws Exception {
        try (IngestServices services = new IngestServices();
             ImageRun image = new ImageRun(Path.of("target/owntracks2db-image.tar"), dir)) {
            assertThat(image.repoTag).startsWith("birdbath/owntracks2db:");
            assertThat(image.user()).isEqualTo("65532");
            int metrics;
            try (ServerSocket s = new ServerSocket(0)) {
                metrics = s.getLocalPort();
            }
            Map<String, String> env = services.env();
            env.put("OWNTRACKS2DB_METRICS_PORT", String.valueOf(metrics));
            Process p = image.start(env);
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics + "/readyz"))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                assertThat(p.isAlive()).as(Files.readString(image.log())).isTrue();
                assertThat(System.nanoTime()).as("the image's service is ready within 60 s").isLessThan(deadline);
                Thread.sleep(200);
            }
            MqttClient pub = new MqttClient(services.broker.uri(), "image-publisher", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName(TestMosquitto.USER);
            o.setPassword(services.broker.password.toCharArray());
            pub.connect(o);
            MqttMessage m = new MqttMessage("{\"_type\":\"location\",\"lat\":1,\"lon\":2,\"tst\":1700000000}"
                    .getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            pub.publish("owntracks/image/phone", m);
            pub.disconnect();
            pub.close();
            while (services.locationRows() < 1) {
                assertThat(System.nanoTime()).as("the location is stored").isLessThan(deadline
                        + TimeUnit.SECONDS.toNanos(30));
                Thread.sleep(100);
            }
        }
    }
}
