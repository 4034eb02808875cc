package birdbath.owntracks2db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * MQTT in, PostgreSQL out, nothing lost: messages from {@link MqttSource} wait in a queue (as many as the
 * broker lets be unacknowledged), a writer thread commits them in batches (size or delay,
 * whichever first) and only then acknowledges them. A database outage stalls the writer, which retries the
 * same batch; a crash leaves the messages unacknowledged, so the broker sends them again, and the key
 * (userid, device, tst) keeps them from doubling. When the MQTT connection is lost, what came on it is let go
 * (the broker sends it all again on the next one), so that however often it reconnects the service holds at
 * most the broker's in-flight window.
 */
public final class Ingest implements AutoCloseable {

    private static final long RETRY_MILLIS = 1000;
    /** With no messages, the database is still asked this often whether it answers (readiness). */
    static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A batch also closes when no message came for this long: a broker that sends only a few unacknowledged
     * messages at a time (Mosquitto's default is 20) would otherwise make every batch wait out the delay. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** How a batch is written (BatchWriter's; tests put a failing one in front of it). */
    interface Writes {
        BatchWriter.Written write(Connection c, List<Message> messages) throws SQLException;
    }

    private final Settings settings;
    private final Writes writes;
    private final IngestMetrics metrics = new IngestMetrics();
    private final LinkedBlockingQueue<MqttSource.Received> queue = new LinkedBlockingQueue<>();
    /** The writer's batch and its parsed form, held by the writer while it works on them. */
    private final List<MqttSource.Received> batch = new ArrayList<>();
    private List<Message> messages; // the batch parsed; kept while a failed write is retried
    private final ReentrantLock batchLock = new ReentrantLock();
    private final MqttSource mqtt;
    private final Thread writer;
    private volatile boolean stopping;
    private volatile boolean dbHealthy;
    /** What ended the writer, if anything did: then nothing is stored any more, and the process must go. */
    private volatile Throwable fatal;
    private volatile Consumer<Throwable> onFatal = t -> { };

    public Ingest(Settings settings) throws Exception {
        this(settings, BatchWriter::write);
    }

    Ingest(Settings settings, Writes writes) throws Exception {
        this.settings = settings;
        this.writes = writes;
        this.mqtt = new MqttSource(settings, metrics);
        this.writer = new Thread(this::writeLoopOrFail, "owntracks2db-writer");
    }

    /**
     * What to do when the writer ends for any reason but close(): the service exits non-zero (its supervisor
     * starts it again; the broker still holds every message not yet committed).
     */
    public Ingest onFatal(Consumer<Throwable> action) {
        this.onFatal = action;
        return this;
    }

    /** Liveness: false once the writer has ended other than by close(). */
    public boolean healthy() {
        return fatal == null;
    }

    IngestMetrics metrics() {
        return metrics;
    }

    public boolean ready() {
        return fatal == null && mqtt.ready() && dbHealthy;
    }

    public String metricsText() {
        return metrics.render();
    }

    /**
     * Migrates the schema, connects and returns once the broker has confirmed the subscription, so that from
     * then on the broker keeps every message for this session.
     */
    public Ingest start() throws Exception {
        Schema.migrate(settings.jdbcUrl(), settings.dbUsername(), settings.dbPassword());
        dbHealthy = true;
        writer.start();
        try {
            mqtt.start(m -> {
                metrics.waiting.incrementAndGet();
                queue.add(m);
            }, this::letStaleGo);
        } catch (Exception e) {
            stopping = true;
            writer.join(TimeUnit.SECONDS.toMillis(30));
            throw e;
        }
        return this;
    }

    /** The writer, whose end by anything but close() is logged in one line and handed to {@link #onFatal}. */
    private void writeLoopOrFail() {
        try {
            writeLoop();
        } catch (Throwable t) {
            fatal = t; // ready() and healthy() say so from now on
            Log.error("the writer stopped; nothing more is stored", "error", t.getClass().getName() + ": "
                    + String.valueOf(t.getMessage()).replace('\n', ' '));
            onFatal.accept(t);
        }
    }

    /**
     * After a lost connection: drops what came on it from the queue, and from the batch unless the writer is
     * writing it (then the writer drops it before its next try).
     */
    private void letStaleGo() {
        int dropped = 0;
        for (MqttSource.Received r : queue) {
            if (r.stale() && queue.remove(r)) {
                dropped++;
            }
        }
        if (batchLock.tryLock()) {
            try {
                dropped += dropStaleFromBatch();
            } finally {
                batchLock.unlock();
            }
        }
        metrics.waiting.addAndGet(-dropped);
    }

    /** With the batch lock held: the batch without what came on a lost connection; how many went. */
    private int dropStaleFromBatch() {
        int before = batch.size();
        if (batch.removeIf(MqttSource.Received::stale)) {
            messages = null; // parsed again from what is left
        }
        return before - batch.size();
    }

    private void writeLoop() {
        Connection c = null;
        long lastContact = System.nanoTime();
        while (!stopping || !queue.isEmpty() || !batch.isEmpty()) {
            batchLock.lock();
            try {
                metrics.waiting.addAndGet(-dropStaleFromBatch());
                if (messages == null) {
                    fill(batch);
                    if (batch.isEmpty()) {
                        // idle: still ask the database now and then (at once while it is failing)
                        if (!stopping && (!dbHealthy || System.nanoTime() - lastContact > IDLE_CHECK_NANOS)) {
                            lastContact = System.nanoTime();
                            c = c == null ? connect() : c;
                            if (!c.isValid(Settings.DB_SOCKET_SECONDS)) {
                                throw new SQLException("the database did not answer within "
                                        + Settings.DB_SOCKET_SECONDS + " s");
                            }
                            dbHealthy = true;
                        }
                        continue;
                    }
                    messages = parse(batch);
                }
                if (c == null) {
                    c = connect();
                }
                BatchWriter.Written w = writes.write(c, messages);
                lastContact = System.nanoTime();
                long locations = messages.stream().filter(m -> m instanceof Message.Location).count();
                metrics.persisted.addAndGet(w.locations());
                metrics.duplicates.addAndGet(locations - w.locations());
                metrics.others.addAndGet(w.others());
                metrics.rejected.addAndGet(w.rejected());
                metrics.lag((System.nanoTime() - batch.get(0).receivedNanos) / 1e9);
                metrics.currentInsertionErrors.set(0);
                dbHealthy = true;
                // counted out before acknowledged: the broker sends the next ones on each acknowledgement
                metrics.waiting.addAndGet(-batch.size());
                batch.forEach(MqttSource.Received::acknowledge);
                batch.clear();
                messages = null;
            } catch (SQLException e) {
                dbHealthy = false;
                if (batch.isEmpty()) {
                    Log.warn("the database does not answer", "error", e.getMessage());
                } else {
                    metrics.insertionErrors.incrementAndGet();
                    metrics.currentInsertionErrors.incrementAndGet();
                    Log.warn("writing a batch failed; retrying it", "messages", batch.size(), "error",
                            e.getMessage());
                }
                close(c);
                c = null;
                batchLock.unlock(); // while it waits, a lost connection may take what came on it
                try {
                    sleep(RETRY_MILLIS);
                } finally {
                    batchLock.lock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batchLock.unlock();
            }
        }
        close(c);
    }

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(settings.jdbcUrl(), settings.dbUsername(), settings.dbPassword());
        c.setAutoCommit(false);
        return c;
    }

    /**
     * Takes the next batch from the queue: up to the batch size, or what came within the delay of the first,
     * or what came until the stream paused.
     */
    private void fill(List<MqttSource.Received> batch) throws InterruptedException {
        MqttSource.Received first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
            return;
        }
        batch.add(first);
        long deadline = first.receivedNanos + settings.batchMaxDelayMs() * 1_000_000L;
        while (batch.size() < settings.batchSize()) {
            long wait = Math.min(deadline - System.nanoTime(), IDLE_NANOS);
            MqttSource.Received next = wait <= 0 ? queue.poll() : queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    /** The batch's messages as they will be stored (other _types left out unless they are kept). */
    private List<Message> parse(List<MqttSource.Received> batch) {
        List<Message> messages = new ArrayList<>(batch.size());
        for (MqttSource.Received p : batch) {
            Message m = MessageParser.parse(p.topic, p.payload);
            if (m instanceof Message.Location) {
                metrics.received.incrementAndGet();
            }
            if (settings.storeOtherTypes() || !(m instanceof Message.Other)) {
                messages.add(m);
            }
        }
        return messages;
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
        mqtt.stopTaking();
        stopping = true;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        mqtt.close();
    }
}
