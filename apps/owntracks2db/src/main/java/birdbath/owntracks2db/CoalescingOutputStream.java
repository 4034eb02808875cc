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
 * flusher takes what is there when it wakes. What is buffered is bounded by the protocol: Paho sends only
 * acknowledgements, pings and the few packets of a connection's start and end.
 */
final class CoalescingOutputStream extends OutputStream {

    private final OutputStream out;
    /** Guards the buffer and the flags. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition pending = lock.newCondition();
    /** Held while writing to {@link #out}; taken before {@link #lock} is let go, so bytes go out in order. */
    private final ReentrantLock writing = new ReentrantLock();
    private byte[] buf = new byte[8192];
    private int size;
    private boolean dirty;
    private boolean closed;
    private IOException failure;

    CoalescingOutputStream(OutputStream out, String name) {
        this.out = out;
        Thread flusher = new Thread(this::flushLoop, name);
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

    /** Writes what is left, then closes the stream under it. */
    @Override
    public void close() throws IOException {
        byte[] rest;
        int n;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            pending.signal();
            rest = buf;
            n = failure == null ? size : 0;
            size = 0;
            writing.lock();
        } finally {
            lock.unlock();
        }
        try {
            if (n > 0) {
                out.write(rest, 0, n);
                out.flush();
            }
        } finally {
            writing.unlock();
            out.close();
        }
    }

    private void flushLoop() {
        while (true) {
            byte[] chunk;
            int n;
            lock.lock();
            try {
                while (!dirty && !closed) {
                    pending.awaitUninterruptibly();
                }
                if (closed) {
                    return; // close() writes the rest
                }
                dirty = false;
                chunk = buf;
                n = size;
                buf = new byte[buf.length];
                size = 0;
                writing.lock();
            } finally {
                lock.unlock();
            }
            try {
                out.write(chunk, 0, n);
                out.flush();
            } catch (IOException e) {
                lock.lock();
                try {
                    failure = e; // the next write or flush says so; the reader sees the connection end anyway
                } finally {
                    lock.unlock();
                }
                return;
            } finally {
                writing.unlock();
            }
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
