package birdbath.provider.linode;

import birdbath.linode.LinodeApi;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** .birdbath/logs/linode-api.log: one line per API exchange (never headers, so never the token), and counts. */
public final class ApiLog implements LinodeApi.Listener, AutoCloseable {

    private final BufferedWriter writer;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger mutating = new AtomicInteger();

    public ApiLog(Path file) {
        BufferedWriter w = null;
        try {
            Files.createDirectories(file.getParent());
            w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // logging is a convenience; a read-only state dir must not stop the run
        }
        this.writer = w;
    }

    @Override
    public synchronized void exchange(String method, String path, int status, long millis) {
        calls.incrementAndGet();
        if (!method.equals("GET")) {
            mutating.incrementAndGet();
        }
        if (writer != null) {
            try {
                writer.write(Instant.now() + " " + method + " " + path + " " + (status == 0 ? "no-answer" : status)
                        + " " + millis + "ms\n");
                writer.flush();
            } catch (IOException e) {
                // as above
            }
        }
    }

    public int calls() {
        return calls.get();
    }

    public int mutatingCalls() {
        return mutating.get();
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }
}
