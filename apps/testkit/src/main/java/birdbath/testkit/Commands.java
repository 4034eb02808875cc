package birdbath.testkit;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Host commands the tests need (tar, chown, PostgreSQL's tools): run to the end, failing with their output. */
public final class Commands {

    private Commands() { }

    public static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
