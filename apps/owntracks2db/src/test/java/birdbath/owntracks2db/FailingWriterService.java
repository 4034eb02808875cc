package birdbath.owntracks2db;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service as `java -jar` runs it (Owntracks2db.serve), whose writer meets an error that is no SQLException
 * at batch FAIL_AT_BATCH: started as a process of its own by IngestTest, to see the service exit.
 */
final class FailingWriterService {

    private FailingWriterService() { }

    public static void main(String[] args) throws Exception {
        int failAt = Integer.parseInt(System.getenv("FAIL_AT_BATCH"));
        AtomicInteger calls = new AtomicInteger();
        Owntracks2db.serve(Settings.load(System.getenv(), null), (c, messages) -> {
            if (calls.incrementAndGet() == failAt) {
                throw new IllegalStateException("injected: not an SQL error");
            }
            return BatchWriter.write(c, messages);
        });
    }
}
