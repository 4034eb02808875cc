package birdbath.bench;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's publisher: MQTT 3.1.1 written by hand, QoS 1, at most {@code window} messages unacknowledged.
 * A client library here took close to a core for 45,000 messages/s (Paho and HiveMQ alike), CPU that the
 * broker and the consumer being measured then lacked on a 2-core machine; this one takes a small fraction.
 * Only what a benchmark needs: no TLS, no reconnect, no retransmission.
 */
final class RawMqttPublisher implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Semaphore window;
    private final int size;
    private final Thread reader;
    private volatile IOException failure;
    private int nextId = 1;

    RawMqttPublisher(String host, int port, String clientId, String user, String password, int window)
            throws IOException {
        this.size = window;
        this.window = new Semaphore(window);
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT");
        body.write(4);                      // protocol level 3.1.1
        body.write(0x80 | 0x40 | 0x02);     // user name, password, clean session
        body.write(0);
        body.write(60);                     // keepalive 60 s
        string(body, clientId);
        string(body, user);
        string(body, password);
        packet(0x10, body.toByteArray());
        out.flush();
        if (in.readUnsignedByte() != 0x20 || in.readUnsignedByte() != 2 || in.readUnsignedByte() != 0
                || in.readUnsignedByte() != 0) {
            throw new IOException("the broker refused the connection");
        }
        reader = new Thread(this::readAcks, "bench-puback-reader");
        reader.setDaemon(true);
        reader.start();
    }

    void publish(String topic, byte[] payload) throws IOException, InterruptedException {
        if (!window.tryAcquire()) {
            out.flush(); // the broker must see what is waiting before it can acknowledge
            if (!window.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IOException("no PUBACK for 60 s");
            }
        }
        if (failure != null) {
            throw failure;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(payload.length + topic.length() + 8);
        string(body, topic);
        int id = nextId;
        nextId = nextId == 65535 ? 1 : nextId + 1;
        body.write(id >> 8);
        body.write(id & 0xff);
        body.write(payload);
        packet(0x32, body.toByteArray()); // PUBLISH, QoS 1
    }

    /** Waits until every message is acknowledged. */
    void drain() throws IOException, InterruptedException {
        out.flush();
        if (!window.tryAcquire(size, 60, TimeUnit.SECONDS)) {
            throw new IOException("not every message was acknowledged within 60 s");
        }
        window.release(size);
        if (failure != null) {
            throw failure;
        }
    }

    private void readAcks() {
        try {
            while (true) {
                int type = in.readUnsignedByte();
                int length = in.readUnsignedByte();
                in.skipNBytes(length);
                if (type == 0x40) {
                    window.release();
                }
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                failure = e;
                window.release(size);
            }
        }
    }

    private void packet(int header, byte[] body) throws IOException {
        out.write(header);
        int n = body.length;
        do {
            int b = n % 128;
            n /= 128;
            out.write(n > 0 ? b | 0x80 : b);
        } while (n > 0);
        out.write(body);
    }

    private static void string(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.write(b.length >> 8);
        o.write(b.length & 0xff);
        o.write(b, 0, b.length);
    }

    @Override
    public void close() throws IOException {
        try {
            out.write(new byte[] {(byte) 0xe0, 0}); // DISCONNECT
            out.flush();
        } finally {
            socket.close();
        }
    }
}
