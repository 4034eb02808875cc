package birdbath.owntracks2db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The acknowledgements' stream: every byte out once and in order, in few writes; a failed or stuck write ends
 * the connection (abort) instead of waiting, and close() never waits for the socket longer than its drain.
 */
@Timeout(30)
class CoalescingOutputStreamTest {

    /** A stream under it whose first write waits for the test, as a socket's would when its buffer is full. */
    private static final class Gated extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger writes = new AtomicInteger();
        final CountDownLatch firstWriteStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void write(int b) {
            throw new AssertionError("written a byte at a time");
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (writes.incrementAndGet() == 1) {
                firstWriteStarted.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            bytes.write(b, off, len);
        }
    }

    /** What a stream under the coalescer does with a write of many bytes. */
    private interface BulkWrite {
        void write(byte[] b, int off, int len) throws IOException;
    }

    /** A stream doing {@code w} for every write; a byte-at-a-time write fails the test. */
    private static OutputStream bulk(BulkWrite w) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("written a byte at a time");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                w.write(b, off, len);
            }
        };
    }

    @Test
    void packetsFlushedOneByOneWhileTheSocketIsBusyGoOutTogetherInOrder() throws Exception {
        Gated under = new Gated();
        CoalescingOutputStream out = new CoalescingOutputStream(under, "test-flusher", () -> { });
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        byte[] first = {0x40, 0x02, 0, 1};
        out.write(first, 0, 4);
        out.flush();
        expected.write(first);
        assertThat(under.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int id = 2; id <= 1000; id++) {
            byte[] puback = {0x40, 0x02, (byte) (id >> 8), (byte) id};
            out.write(puback, 0, 4);
            out.flush();
            expected.write(puback);
        }
        under.release.countDown();
        out.close();
        assertThat(under.bytes.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(under.writes.get()).as("writes for 1,000 flushed packets").isLessThanOrEqualTo(3);
    }

    @Test
    void aFailedWriteAbortsAtOnceAndIsToldToTheNextWriter() throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        CoalescingOutputStream out = new CoalescingOutputStream(bulk((b, off, len) -> {
            failed.countDown();
            throw new IOException("broken pipe");
        }), "test-flusher", aborted::countDown);
        out.write(new byte[] {1}, 0, 1);
        out.flush();
        assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(aborted.await(10, TimeUnit.SECONDS)).as("the connection ended at once").isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        assertThatThrownBy(() -> {
            while (System.nanoTime() < deadline) {
                out.write(new byte[] {2}, 0, 1); // throws once the flusher has recorded the failure
                Thread.onSpinWait();
            }
        }).isInstanceOf(IOException.class).hasMessage("broken pipe");
    }

    /**
     * close() while the flusher's write is stuck (a broker that does not read): close() waits the drain, then
     * aborts, which makes the stuck write fail; and the failing write taking the lock close() had held no longer
     * deadlocks the two (a review reproduced that). Both end well within the test's bound.
     */
    @Test
    void closeDuringAStuckWriteAbortsAfterTheDrainInsteadOfWaiting() throws Exception {
        Gated under = new Gated();
        CountDownLatch aborted = new CountDownLatch(1);
        CoalescingOutputStream out = new CoalescingOutputStream(bulk((b, off, len) -> {
            under.write(b, off, len); // the first write waits until released
            if (aborted.getCount() == 0) {
                throw new IOException("socket closed"); // what a write on an aborted socket does
            }
        }), "test-flusher", () -> {
            aborted.countDown();
            under.release.countDown(); // the abort closes the socket: the stuck write returns, and fails
        });
        out.write(new byte[] {1, 2, 3}, 0, 3);
        out.flush();
        assertThat(under.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        out.write(new byte[] {4}, 0, 1);
        out.flush();
        long start = System.nanoTime();
        out.close();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(aborted.getCount()).as("aborted").isZero();
        assertThat(millis).as("close() took").isBetween(CoalescingOutputStream.DRAIN_MILLIS - 100,
                CoalescingOutputStream.DRAIN_MILLIS + 3000);
    }

    /** A broker that takes nothing: past the limit, writing fails (Paho then reconnects). */
    @Test
    void unsentBytesBeyondTheLimitFailTheWrite() throws Exception {
        Gated under = new Gated(); // never released: the first write stays stuck
        CoalescingOutputStream out = new CoalescingOutputStream(under, "test-flusher", under.release::countDown);
        out.write(new byte[] {1}, 0, 1);
        out.flush();
        assertThat(under.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        byte[] kib = new byte[1024];
        for (int i = 0; i < CoalescingOutputStream.LIMIT / kib.length; i++) {
            out.write(kib, 0, kib.length);
        }
        assertThatThrownBy(() -> out.write(kib, 0, kib.length)).isInstanceOf(IOException.class)
                .hasMessageContaining("has not taken");
        under.release.countDown();
        out.close();
    }
}
