package birdbath.stage;

import birdbath.BirdbathException;
import birdbath.Reporter;
import birdbath.host.Host;
import birdbath.remote.SshConnection;
import java.time.Duration;
import java.util.Locale;

/** Commands a stage runs on a node outside the engine's steps, and the lines it reports about them. */
public final class NodeCommands {

    private NodeCommands() { }

    /** Runs a command that has to work; fails naming node, stage, the command's first line and stderr's tail. */
    public static String must(SshConnection c, String stage, String command, byte[] stdin, Duration timeout) {
        Host.Result r = c.exec(command, stdin, timeout);
        if (!r.ok()) {
            throw new BirdbathException(c.node() + ": " + stage + ": `" + command.lines().findFirst().orElse(command)
                    + "` failed (exit " + r.exit() + "): " + Host.tail(r.err().isBlank() ? r.out() : r.err()));
        }
        return r.out();
    }

    /** A line about one node, aligned with the engine's per-node lines. */
    public static void report(Reporter out, String node, String stage, String what) {
        out.info(String.format(Locale.ROOT, "  %-16s %-10s %s", node, stage, what));
    }
}
