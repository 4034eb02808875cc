package birdbath.remote;

import birdbath.BirdbathException;
import birdbath.Parallel;
import birdbath.Reporter;
import birdbath.provider.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs steps over SSH on many nodes at once (bounded), one session per node kept for the whole run. Reports per
 * node how many steps were ok and changed, logs every step to .birdbath/logs/NODE.log, and fails naming the
 * node, the step, the command and its stderr tail. Every node runs to its end even when another fails.
 */
public final class Engine implements AutoCloseable {

    /** What one stage did on one node. */
    public record NodeReport(String node, int ok, int changed, double seconds) { }

    private final SshConnector connector;
    private final List<String> users;
    private final Path logDir;
    private final Reporter out;
    private final int parallelism;
    private final Map<String, SshConnection> sessions = new ConcurrentHashMap<>();

    /** @param users login names to try in order (the admin once baseline has made one, then root) */
    public Engine(SshConnector connector, List<String> users, Path logDir, Reporter out, int parallelism) {
        this.connector = connector;
        this.users = users;
        this.logDir = logDir;
        this.out = out;
        this.parallelism = parallelism;
    }

    public SshConnection session(Node node) {
        return sessions.computeIfAbsent(node.name(), n -> connector.connect(node, users));
    }

    /** Drops a node's session (after its sshd was reconfigured, or to log in as another user). */
    public void reconnect(Node node) {
        SshConnection old = sessions.remove(node.name());
        if (old != null) {
            old.close();
        }
    }

    /** Applies each node's steps in order; all nodes in parallel. */
    public List<NodeReport> converge(String stage, List<Node> nodes, Function<Node, List<Step>> steps) {
        Map<String, NodeReport> reports = new ConcurrentHashMap<>();
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        for (Node node : nodes) {
            tasks.put(node.name(), () -> {
                long started = System.nanoTime();
                int ok = 0;
                int changed = 0;
                Set<String> changedPaths = new HashSet<>();
                List<Step> list = steps.apply(node);
                boolean[] settled;
                try {
                    settled = probe(session(node), list);
                } catch (BirdbathException e) {
                    log(node, stage + " probe: failed: " + e.getMessage());
                    throw e;
                }
                for (int i = 0; i < list.size(); i++) {
                    Step step = list.get(i);
                    out.progress(node.name(), stage + ": " + step.describe());
                    try {
                        // a step whose probe passed needs nothing while the run has changed nothing before it
                        Step.Outcome outcome = settled[i] && changed == 0 ? Step.Outcome.OK
                                : step.apply(session(node), changedPaths);
                        log(node, stage + " " + step.describe() + ": " + outcome.name().toLowerCase(Locale.ROOT));
                        if (outcome == Step.Outcome.OK) {
                            ok++;
                        } else {
                            changed++;
                        }
                    } catch (BirdbathException e) {
                        log(node, stage + " " + step.describe() + ": failed: " + e.getMessage());
                        throw e;
                    }
                }
                NodeReport r = new NodeReport(node.name(), ok, changed, (System.nanoTime() - started) / 1e9);
                out.progress(node.name(), stage + ": done");
                reports.put(node.name(), r);
                out.info(String.format(Locale.ROOT, "  %-16s %-10s %s  ok=%d changed=%d (%.1f s)", node.name(),
                        stage, changed == 0 ? "ok     " : "changed", ok, changed, r.seconds()));
            });
        }
        try {
            Parallel.run(stage, tasks, parallelism);
        } finally {
            out.progressDone();
        }
        return nodes.stream().map(n -> reports.get(n.name())).toList();
    }

    private static final String UNITS = "--birdbath-units--";
    private static final String STEPS = "--birdbath-steps--";

    /**
     * Every step's probe in one command (the files' all at once, the units' all at once): which steps have
     * nothing to do now.
     */
    private static boolean[] probe(SshConnection c, List<Step> steps) {
        List<String> paths = steps.stream().filter(s -> s instanceof Step.PutFile)
                .map(s -> ((Step.PutFile) s).file().path()).toList();
        List<String> units = steps.stream().filter(s -> s instanceof Step.EnsureUnit)
                .map(s -> ((Step.EnsureUnit) s).unit()).toList();
        StringBuilder script = new StringBuilder(paths.isEmpty() ? "" : FileStates.command(paths) + "\n");
        script.append("echo ").append(UNITS).append('\n');
        script.append(units.isEmpty() ? "" : UnitStates.command(units) + "\n");
        script.append("echo ").append(STEPS).append('\n');
        for (Step step : steps) {
            if (!(step instanceof Step.PutFile) && !(step instanceof Step.EnsureUnit)) {
                script.append(step.probe() == null ? "echo 1" : "(" + step.probe() + ") >/dev/null 2>&1; echo $?")
                        .append('\n');
            }
        }
        String out = c.exec(script.toString()).out();
        int unitsAt = out.indexOf(UNITS + "\n");
        int stepsAt = out.indexOf(STEPS + "\n");
        if (unitsAt < 0 || stepsAt < unitsAt) {
            return new boolean[steps.size()];
        }
        FileStates files = FileStates.parse(out.substring(0, unitsAt));
        UnitStates unitStates = UnitStates.parse(units, out.substring(unitsAt + UNITS.length() + 1, stepsAt));
        List<String> verdicts = out.substring(stepsAt + STEPS.length() + 1).lines().toList();
        boolean[] settled = new boolean[steps.size()];
        int next = 0;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) instanceof Step.PutFile put) {
                settled[i] = files.matches(put.file());
            } else if (steps.get(i) instanceof Step.EnsureUnit unit) {
                settled[i] = unitStates.running(unit.unit());
            } else {
                settled[i] = next < verdicts.size() && verdicts.get(next).strip().equals("0");
                next++;
            }
        }
        return settled;
    }

    /** Runs a function against every node's session in parallel and collects the results by node name. */
    public <T> Map<String, T> onEach(String what, List<Node> nodes, Function<SshConnection, T> fn) {
        return eachNode(what, nodes, node -> fn.apply(session(node)));
    }

    /** As {@link #onEach}, but a node that cannot be reached or fails gives {@code onError}'s value instead. */
    public <T> Map<String, T> onEach(String what, List<Node> nodes, Function<SshConnection, T> fn,
                                     BiFunction<Node, BirdbathException, T> onError) {
        return eachNode(what, nodes, node -> {
            try {
                return fn.apply(session(node));
            } catch (BirdbathException e) {
                return onError.apply(node, e);
            }
        });
    }

    private <T> Map<String, T> eachNode(String what, List<Node> nodes, Function<Node, T> fn) {
        Map<String, T> results = new ConcurrentHashMap<>();
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        for (Node node : nodes) {
            tasks.put(node.name(), () -> results.put(node.name(), fn.apply(node)));
        }
        Parallel.run(what, tasks, parallelism);
        return results;
    }

    private void log(Node node, String line) {
        try {
            Files.createDirectories(logDir);
            Files.writeString(logDir.resolve(node.name() + ".log"), Instant.now() + " " + line + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is a convenience; the run goes on
        }
    }

    @Override
    public void close() {
        sessions.values().forEach(SshConnection::close);
        sessions.clear();
        connector.close();
    }

    /** Default bound on how long a node may take to accept SSH. */
    public static final Duration CONNECT_DEADLINE = Duration.ofSeconds(30);
}
