package birdbath.owntracks2db;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The MQTT side: a persistent session (clean session off) subscribed at QoS 1, messages handed on at once with
 * manual acknowledgement. Handing over never blocks, so Paho keeps reading and the connection stays alive
 * (pings answered) through a long database outage; what bounds the messages held is the broker's limit of
 * unacknowledged messages in flight to a client (Mosquitto's max_inflight_messages).
 *
 * <p>Paho 1.2.5 rather than HiveMQ's client: HiveMQ's walks its queue of unacknowledged messages on every
 * message received, which with a batch's worth of them in hand took more CPU than everything else here
 * (19,000 against Paho's 30,000 messages/s drained from a backlog).
 */
final class MqttSource implements AutoCloseable {

    private static final long START_SECONDS = 30;

    /** One message as it came, to be acknowledged once it is stored. */
    final class Received {
        final String topic;
        final byte[] payload;
        final long receivedNanos;
        private final int id;
        private final int qos;
        private final long connection;

        private Received(String topic, MqttMessage m, long connection) {
            this.topic = topic;
            this.payload = m.getPayload();
            this.receivedNanos = System.nanoTime();
            this.id = m.getId();
            this.qos = m.getQos();
            this.connection = connection;
        }

        /** Whether it came on a connection that is gone: it cannot be acknowledged, and the broker sends it again. */
        boolean stale() {
            return connection != connections;
        }

        /** Acknowledges on the connection it came on; after a reconnect the broker sends it again anyway. */
        void acknowledge() {
            if (qos > 0 && connection == connections) {
                try {
                    client.messageArrivedComplete(id, qos);
                } catch (MqttException e) {
                    // the connection went: the broker sends the message again, and it is stored already
                }
            }
        }
    }

    private final Settings settings;
    private final IngestMetrics metrics;
    private final MqttClient client;
    private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    private final ExecutorService subscriber = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "owntracks2db-subscribe");
        t.setDaemon(true);
        return t;
    });
    private volatile long connections;
    private volatile boolean taking = true;

    MqttSource(Settings settings, IngestMetrics metrics) throws MqttException {
        this.settings = settings;
        this.metrics = metrics;
        this.client = new MqttClient(MqttTransport.uri(settings.mqttSsl(), settings.mqttHost(), settings.mqttPort()),
                settings.mqttClientId(), new MemoryPersistence());
    }

    /**
     * Hands every message to {@code sink} (which must not block), connects, and returns once subscribed;
     * {@code lost} runs when a connection is lost (what came on it is {@link Received#stale()} from then on).
     */
    MqttSource start(Consumer<Received> sink, Runnable lost) throws Exception {
        client.setManualAcks(true);
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                connections++;
                metrics.mqttConnects.incrementAndGet();
                // not on this callback thread: a persistent session's queued messages arrive before the SUBACK,
                // and they are delivered on this very thread, so waiting here for the SUBACK would deadlock
                subscriber.execute(MqttSource.this::subscribe);
            }

            @Override
            public void connectionLost(Throwable cause) {
                connections++;
                Log.warn("MQTT connection lost; reconnecting", "error", String.valueOf(cause));
                lost.run();
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                if (taking) {
                    // not taken while stopping: unacknowledged, it is sent again after the restart
                    sink.accept(new Received(topic, message, connections));
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // nothing is published
            }
        });
        try {
            client.connect(options());
        } catch (MqttException e) {
            close();
            throw new IllegalStateException("cannot connect to " + settings.mqttUri() + ": " + e.getMessage()
                    + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"), e);
        }
        try {
            subscribed.get(START_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            close();
            throw new IllegalStateException("the broker " + settings.mqttUri() + " did not confirm the subscription to "
                    + settings.mqttTopic() + " within " + START_SECONDS + " s");
        }
        return this;
    }

    private MqttConnectOptions options() throws Exception {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        // not Paho's default, which after a failed connect tries MQTT 3.1 too: two connections per attempt
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setAutomaticReconnect(true);
        o.setKeepAliveInterval(settings.mqttKeepaliveSeconds());
        o.setConnectionTimeout(15);
        o.setMaxReconnectDelay(10_000);
        if (settings.mqttUsername() != null) {
            o.setUserName(settings.mqttUsername());
        }
        if (settings.mqttPassword() != null) {
            o.setPassword(settings.mqttPassword().toCharArray());
        }
        o.setWill("/lwt/o2db", "offline".getBytes(StandardCharsets.UTF_8), 1, false);
        if (settings.mqttSsl()) {
            o.setSocketFactory(tls(settings.mqttCa()).getSocketFactory()); // MqttTransport checks the name
        }
        return o;
    }

    /** After every (re)connect: a no-op for a resumed session, the subscription itself for a new one. */
    private void subscribe() {
        try {
            client.subscribe(settings.mqttTopic(), 1);
            Log.info("subscribed", "topic", settings.mqttTopic(), "broker", settings.mqttUri());
            subscribed.complete(null);
        } catch (MqttException e) {
            Log.error("cannot subscribe", "topic", settings.mqttTopic(), "error", e.toString());
        }
    }

    boolean ready() {
        return client.isConnected() && subscribed.isDone();
    }

    /** Hands no more messages over; those not taken stay with the broker. */
    void stopTaking() {
        taking = false;
    }

    @Override
    public void close() {
        taking = false;
        subscriber.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect(5_000);
            }
            client.close();
        } catch (MqttException e) {
            // closing
        }
    }

    private static SSLContext tls(String caFile) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        if (caFile == null) {
            ctx.init(null, null, null);
            return ctx;
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = new FileInputStream(caFile)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
