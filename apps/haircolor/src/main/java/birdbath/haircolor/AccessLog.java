package birdbath.haircolor;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One line per request on standard output, buffered and flushed twice a second (and on close): a flush per
 * request would cost a system call each.
 */
final class AccessLog implements AutoCloseable {

    private final Writer out = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
            StandardCharsets.UTF_8), 64 * 1024);
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "access-log");
        t.setDaemon(true);
        return t;
    });

    AccessLog() {
        flusher.scheduleAtFixedRate(this::flush, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** The time as ISO-8601 to the second ("2026-12-01T01:28:18"), made once a second. */
    private long second = -1;
    private String secondText = "";

    /** "TIME METHOD PATH STATUS BYTES MSms", the time in UTC to the millisecond; written in place, no line built. */
    synchronized void request(String method, String path, int status, long bytes, double millis) {
        long now = System.currentTimeMillis();
        if (now / 1000 != second) {
            second = now / 1000;
            secondText = java.time.LocalDateTime.ofEpochSecond(second, 0, java.time.ZoneOffset.UTC).toString();
            if (secondText.length() == 16) {
                secondText += ":00"; // LocalDateTime leaves out zero seconds
            }
        }
        try {
            int ms = (int) (now % 1000);
            out.write(secondText);
            out.write(ms < 10 ? ".00" : ms < 100 ? ".0" : ".");
            out.write(Integer.toString(ms));
            out.write("Z ");
            out.write(method);
            out.write(' ');
            out.write(path);
            out.write(' ');
            out.write(Integer.toString(status));
            out.write(' ');
            out.write(Long.toString(bytes));
            out.write(' ');
            out.write(Double.toString(Math.round(millis * 1000) / 1000.0));
            out.write("ms\n");
        } catch (IOException e) {
            // standard output is gone: nothing to tell
        }
    }

    synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            // standard output is gone
        }
    }

    @Override
    public void close() {
        flusher.shutdown();
        flush();
    }
}
