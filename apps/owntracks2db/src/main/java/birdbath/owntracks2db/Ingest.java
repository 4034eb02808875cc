package birdbath.owntracks2db;

import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * MQTT in, PostgreSQL out, nothing lost: a persistent session (clean session off) subscribed at QoS 1, manual
 * acknowledgements, and a writer thread that commits batches (size or delay, whichever first) and only then
 * acknowledges their messages. A database outage stalls the writer, which retries the same batch; a crash
 * leaves the messages unacknowledged, so the broker sends them again, and the key (userid, device, tst) keeps
 * them from doubling.
 */
public final class Ingest implements AutoCloseable {

    private static final long RETRY_MILLIS = 1000;
    private static final long SUBSCRIBE_SECONDS = 30;

    /** A message waiting for its commit, with the MQTT connection it came on (ids are per connection). */
    private record Pending(Message message, int id, int qos, long generation, long receivedNanos) { }

    private final Settings settings;
    private final IngestMetrics metrics = new IngestMetrics();
    private final BlockingQueue<Pending> queue;
    private final MqttClient mqtt;
    private final Thread writer;
    private final java.util.concurrent.ExecutorService subscriber = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "owntracks2db-subscribe");
                t.setDaemon(true);
                return t;
            });
    private final java.util.concurrent.CompletableFuture<Void> subscribed = new java.util.concurrent.CompletableFuture<>();
    private volatile long generation;
    private volatile boolean stopping;
    private volatile boolean dbHealthy;

    public Ingest(Settings settings) throws MqttException {
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(Math.max(1000, settings.batchSize() * 4));
        this.mqtt = new MqttClient(settings.mqttUri(), settings.mqttClientId(), new MemoryPersistence());
        this.writer = new Thread(this::writeLoop, "owntracks2db-writer");
    }

    IngestMetrics metrics() {
        return metrics;
    }

    public boolean ready() {
        return mqtt.isConnected() && subscribed.isDone() && dbHealthy;
    }

    public String metricsText() {
        return metrics.render();
    }

    /**
     * Migrates the schema, connects and returns once the broker has confirmed the subscription, so that from
     * then on the broker keeps every message for this session, connected or not.
     */
    public Ingest start() throws Exception {
        Schema.migrate(settings.jdbcUrl(), settings.dbUsername(), settings.dbPassword());
        dbHealthy = true;
        writer.start();
        mqtt.setManualAcks(true);
        mqtt.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                generation++;
                // not on this callback thread: a persistent session's queued messages arrive before the SUBACK,
                // and they are delivered on this very thread, so waiting here for the SUBACK would deadlock
                subscriber.execute(() -> {
                    try {
                        mqtt.subscribe(settings.mqttTopic(), 1);
                        subscribed.complete(null);
                        Log.info("subscribed", "topic", settings.mqttTopic(), "broker", serverURI, "reconnect", reconnect);
                    } catch (MqttException e) {
                        Log.error("cannot subscribe", "topic", settings.mqttTopic(), "error", e.toString());
                    }
                });
            }

            @Override
            public void connectionLost(Throwable cause) {
                generation++;
                Log.warn("MQTT connection lost; reconnecting", "error", String.valueOf(cause));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
                if (stopping) {
                    // not acknowledged: the broker keeps it in the session and sends it again after the restart
                    return;
                }
                Message m = MessageParser.parse(topic, message.getPayload());
                if (m instanceof Message.Location) {
                    metrics.received.incrementAndGet();
                }
                // a full queue blocks here, and so MQTT reading: the broker holds the rest
                queue.put(new Pending(m, message.getId(), message.getQos(), generation, System.nanoTime()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // nothing is published
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(true);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(15);
        o.setMaxReconnectDelay(10_000);
        if (settings.mqttUsername() != null) {
            o.setUserName(settings.mqttUsername());
        }
        if (settings.mqttPassword() != null) {
            o.setPassword(settings.mqttPassword().toCharArray());
        }
        o.setWill("/lwt/o2db", "offline".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
        if (settings.mqttSsl()) {
            o.setSocketFactory(tls(settings.mqttCa()).getSocketFactory());
            o.setHttpsHostnameVerificationEnabled(true);
        }
        mqtt.connect(o);
        try {
            subscribed.get(SUBSCRIBE_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the broker " + settings.mqttUri() + " did not confirm the subscription to "
                    + settings.mqttTopic() + " within " + SUBSCRIBE_SECONDS + " s");
        }
        return this;
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

    private void writeLoop() {
        Connection c = null;
        List<Pending> batch = new ArrayList<>();
        while (!stopping || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                }
                long deadline = batch.get(0).receivedNanos() + settings.batchMaxDelayMs() * 1_000_000L;
                while (batch.size() < settings.batchSize()) {
                    long wait = deadline - System.nanoTime();
                    Pending next = wait <= 0 ? queue.poll() : queue.poll(wait, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                if (c == null) {
                    c = DriverManager.getConnection(settings.jdbcUrl(), settings.dbUsername(), settings.dbPassword());
                    c.setAutoCommit(false);
                }
                List<Message> messages = new ArrayList<>();
                for (Pending p : batch) {
                    if (settings.storeOtherTypes() || !(p.message() instanceof Message.Other)) {
                        messages.add(p.message());
                    }
                }
                BatchWriter.Written w = BatchWriter.write(c, messages);
                long locations = messages.stream().filter(m -> m instanceof Message.Location).count();
                metrics.persisted.addAndGet(w.locations());
                metrics.duplicates.addAndGet(locations - w.locations());
                metrics.others.addAndGet(w.others());
                metrics.rejected.addAndGet(w.rejected());
                metrics.lag((System.nanoTime() - batch.get(0).receivedNanos()) / 1e9);
                metrics.currentInsertionErrors.set(0);
                dbHealthy = true;
                acknowledge(batch);
                batch.clear();
            } catch (SQLException e) {
                metrics.insertionErrors.incrementAndGet();
                metrics.currentInsertionErrors.incrementAndGet();
                dbHealthy = false;
                Log.warn("writing a batch failed; retrying it", "messages", batch.size(), "error", e.getMessage());
                close(c);
                c = null;
                sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close(c);
    }

    /** After the commit: acknowledge what came on the current connection (older ids mean nothing now). */
    private void acknowledge(List<Pending> batch) {
        for (Pending p : batch) {
            if (p.qos() > 0 && p.generation() == generation) {
                try {
                    mqtt.messageArrivedComplete(p.id(), p.qos());
                } catch (MqttException e) {
                    // the connection went: the broker will send the message again, and it is stored already
                }
            }
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops taking messages, commits and acknowledges what was received, then disconnects. The subscription
     * stays in the broker's session, so what is published while the service is away waits there for it.
     */
    @Override
    public void close() {
        stopping = true;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscriber.shutdownNow();
        try {
            if (mqtt.isConnected()) {
                mqtt.disconnect(5_000);
            }
            mqtt.close();
        } catch (MqttException e) {
            // closing
        }
    }
}
