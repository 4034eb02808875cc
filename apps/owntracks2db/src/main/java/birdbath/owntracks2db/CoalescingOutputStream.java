package birdbath.owntracks2db;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An output stream whose flush hands the bytes to a thread of its own, which writes everything that has come
 * by the time it runs in one write. Paho writes and flushes each packet by itself; after a batch is committed
 * it acknowledges hundreds of messages at once, which were as many TLS records (each encrypted here and
 * decrypted by the broker) and as many system calls; here they go out as a few. Nothing waits for a timer: the
 * flusher takes what is there when it wakes.
 *
 * <p>The flusher is the only writer of the stream under it and holds no lock while it writes, so neither Paho's
 * sender nor {@link #close()} ever waits for the socket. What a failed write means is not left for the next
 * packet to find: {@code abort} (closing the socket) runs at once, so that Paho's reader fails and it
 * reconnects. A broker that does not read is a dead connection too: past {@link #LIMIT} unsent bytes a write
 * fails (Paho's own check for a stalled sender relies on writes that block, which these never do).
 */
final class CoalescingOutputStream extends OutputStream {

    /** Unsent bytes at most: some 250,000 acknowledgements, far beyond any broker's window. */
    static final int LIMIT = 1 << 20;
    /** How long close() lets the flusher write what is left before it aborts. */
    static final long DRAIN_MILLIS = 2000;

    private final OutputStream out;
    private final Runnable abort;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition pending = lock.newCondition();
    private final Thread flusher;
    private byte[] buf = new byte[8192];
    private int size;
    private boolean dirty;
    private boolean closed;
    private IOException failure;

    /** {@code abort} ends the connection under {@code out} at once (the socket closed without lingering). */
    CoalescingOutputStream(OutputStream out, String name, Runnable abort) {
        this.out = out;
        this.abort = abort;
        this.flusher = new Thread(this::flushLoop, name);
        flusher.setDaemon(true);
        flusher.start();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        lock.lock();
        try {
            check();
            if (size + len > LIMIT) {
                throw new IOException("the broker has not taken the last " + size + " bytes sent to it");
            }
            if (size + len > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + len));
            }
            System.arraycopy(b, off, buf, size, len);
            size += len;
        } finally {
            lock.unlock();
        }
    }

    /** Hands what is written so far to the flusher, without waiting for it to go out. */
    @Override
    public void flush() throws IOException {
        lock.lock();
        try {
            check();
            dirty = true;
            pending.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets the flusher write what is left (a DISCONNECT, say) for up to {@link #DRAIN_MILLIS}; if it is still
     * writing then, aborts the connection. Then closes the stream under it.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closed = true;
            pending.signal();
        } finally {
            lock.unlock();
        }
        try {
            flusher.join(DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (flusher.isAlive()) {
            abort.run(); // the flusher's write fails, and it ends
        }
        out.close();
    }

    private void flushLoop() {
        try {
            while (true) {
                byte[] chunk;
                int n;
                lock.lock();
                try {
                    while (!dirty && !closed) {
                        pending.awaitUninterruptibly();
                    }
                    if (closed && size == 0) {
                        return;
                    }
                    dirty = false;
                    chunk = buf;
                    n = size;
                    buf = new byte[Math.max(8192, Math.min(chunk.length, 65536))];
                    size = 0;
                } finally {
                    lock.unlock();
                }
                out.write(chunk, 0, n); // no lock held: writers and close() never wait for the socket
                out.flush();
            }
        } catch (Throwable t) {
            lock.lock();
            try {
                failure = t instanceof IOException io ? io : new IOException(t);
            } finally {
                lock.unlock();
            }
            abort.run(); // Paho's reader fails at once, and it reconnects
        }
    }

    private void check() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IOException("the connection is closed");
        }
    }
}
