package birdbath.testing;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.Birdbath;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A command on a node through `birdbath ssh` (as root), for tests on any provider's nodes. */
public final class NodeShell {

    private NodeShell() { }

    /** The command's output, stripped; the command must succeed (its stderr is in the failure). */
    public static String run(Birdbath birdbath, String node, String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = birdbath.ssh(node, command, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as(command + ": " + err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8).strip();
    }
}
