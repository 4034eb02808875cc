package birdbath.cli;

import birdbath.Reporter;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Progress to stdout, warnings to stderr. On a terminal, what each node is doing is one live line per node,
 * redrawn in place under the plain output; elsewhere (pipes, logs, CI) only the plain lines are printed.
 */
final class ConsoleReporter implements Reporter {

    private static final String CLEAR_LINE = "\033[2K\r";

    private final PrintStream out = System.out;
    private final boolean live = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    private final Map<String, String> nodes = new LinkedHashMap<>();
    private int drawn;

    @Override
    public synchronized void info(String line) {
        erase();
        out.println(line);
        draw();
    }

    @Override
    public synchronized void warn(String line) {
        erase();
        System.err.println("warning: " + line);
        draw();
    }

    @Override
    public synchronized void progress(String node, String status) {
        if (!live) {
            return;
        }
        erase();
        nodes.put(node, status);
        draw();
    }

    @Override
    public synchronized void progressDone() {
        erase();
        nodes.clear();
    }

    private void erase() {
        for (int i = 0; i < drawn; i++) {
            out.print("\033[1A" + CLEAR_LINE);
        }
        drawn = 0;
    }

    private void draw() {
        nodes.forEach((node, status) -> out.println(CLEAR_LINE + String.format("  %-16s %s", node, status)));
        drawn = nodes.size();
        out.flush();
    }
}
