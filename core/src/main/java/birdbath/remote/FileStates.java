package birdbath.remote;

import birdbath.Hashes;
import birdbath.Shell;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How files are on a node, read for many paths in one command (one sha256sum and one stat for all), and
 * compared with their declarations: what converging, its probes and check's "files as rendered" all use.
 */
public final class FileStates {

    private static final String SEPARATOR = "--birdbath-stat--";

    /** A file's content hash, mode (octal, as stat prints it) and owner:group. */
    public record State(String sha256, String mode, String owner) { }

    private final Map<String, String> sums = new HashMap<>();
    private final Map<String, State> states = new HashMap<>();

    private FileStates(String output) {
        boolean stat = false;
        for (String line : output.lines().toList()) {
            if (line.equals(SEPARATOR)) {
                stat = true;
            } else if (!stat && line.length() > 66 && line.charAt(64) == ' ') {
                sums.put(line.substring(66), line.substring(0, 64));
            } else if (stat) {
                String[] f = line.split(" ", 3);
                if (f.length == 3) {
                    states.put(f[2], new State(sums.get(f[2]), f[0], f[1]));
                }
            }
        }
    }

    /** The command that prints what {@link #parse} reads, for these paths. */
    public static String command(List<String> paths) {
        String quoted = String.join(" ", paths.stream().map(Shell::quote).toList());
        return "sha256sum -- " + quoted + " 2>/dev/null; echo " + SEPARATOR + "; stat -c '%a %U:%G %n' -- " + quoted
                + " 2>/dev/null; true";
    }

    public static FileStates parse(String output) {
        return new FileStates(output);
    }

    public static FileStates read(SshConnection c, List<String> paths) {
        return parse(c.exec(command(paths)).out());
    }

    /** Null when the file is missing (or not readable). */
    public State of(String path) {
        State s = states.get(path);
        return s == null || s.sha256() == null ? null : s;
    }

    public boolean matches(NodeFile f) {
        return problem(f) == null;
    }

    /** What differs between the node's copy and the declaration; null when nothing does. */
    public String problem(NodeFile f) {
        State s = of(f.path());
        if (s == null) {
            return f.path() + " is missing";
        }
        if (!s.sha256().equals(Hashes.sha256Hex(f.content()))) {
            return f.path() + " differs";
        }
        if (Integer.parseInt(s.mode(), 8) != Integer.parseInt(f.mode(), 8)) {
            return f.path() + " is mode " + s.mode() + ", not " + f.mode();
        }
        if (!s.owner().equals(f.owner())) {
            return f.path() + " belongs to " + s.owner() + ", not " + f.owner();
        }
        return null;
    }
}
