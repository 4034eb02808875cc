package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

/** The transport's URIs, and a socket factory that does not fit its scheme refused (as Paho's own modules do). */
class MqttTransportTest {

    @Test
    void urisForNamesAndAddressesBracketedOrNot() {
        assertThat(MqttTransport.uri(true, "mqtt.example.org", 8883)).isEqualTo("owntracks2db-tls://mqtt.example.org:8883");
        assertThat(MqttTransport.uri(false, "198.18.0.1", 1883)).isEqualTo("owntracks2db-tcp://198.18.0.1:1883");
        assertThat(MqttTransport.uri(false, "::1", 1883)).isEqualTo("owntracks2db-tcp://[::1]:1883");
        assertThat(MqttTransport.uri(false, "[::1]", 1883)).isEqualTo("owntracks2db-tcp://[::1]:1883");
        assertThat(URI.create(MqttTransport.uri(true, "[::1]", 8883)).getHost()).isEqualTo("[::1]");
    }

    @Test
    void aFactoryThatDoesNotFitTheSchemeIsRefused() throws Exception {
        MqttTransport transport = new MqttTransport();
        MqttConnectOptions plain = new MqttConnectOptions();
        plain.setSocketFactory(SocketFactory.getDefault());
        MqttConnectOptions tls = new MqttConnectOptions();
        tls.setSocketFactory(SSLSocketFactory.getDefault());
        assertThatThrownBy(() -> transport.createNetworkModule(URI.create("owntracks2db-tls://h:8883"), plain, "c"))
                .isInstanceOf(MqttException.class).extracting(e -> ((MqttException) e).getReasonCode())
                .isEqualTo((int) MqttException.REASON_CODE_SOCKET_FACTORY_MISMATCH);
        assertThatThrownBy(() -> transport.createNetworkModule(URI.create("owntracks2db-tcp://h:1883"), tls, "c"))
                .isInstanceOf(MqttException.class);
        assertThat(transport.createNetworkModule(URI.create("owntracks2db-tls://h:8883"), new MqttConnectOptions(),
                "c")).isNotNull();
    }
}
