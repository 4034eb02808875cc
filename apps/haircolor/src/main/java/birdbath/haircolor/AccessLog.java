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

    synchronized void line(String line) {
        try {
            out.write(line);
            out.write('\n');
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
