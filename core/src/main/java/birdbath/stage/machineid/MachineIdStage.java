package birdbath.stage.machineid;

import birdbath.provider.Node;
import birdbath.stage.CheckResult;
import birdbath.stage.Stage;
import birdbath.stage.StageRun;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The original's minimal bootstrap: every node gets a unique /etc/machine-id. Nodes cloned from one image share
 * it; only those duplicates (all but the lowest-numbered holder) are regenerated, never a node that is unique.
 */
public final class MachineIdStage implements Stage {

    private static final String READ = "cat /etc/machine-id 2>/dev/null";
    /**
     * A fresh random id (systemd-machine-id-setup would reuse a container manager's or a VM's UUID, which is what
     * the clones share), written atomically; dbus's copy follows it.
     */
    private static final String REGENERATE = "id=$(tr -d '-' < /proc/sys/kernel/random/uuid)"
            + " && printf '%s\\n' \"$id\" > /etc/machine-id.new && chmod 444 /etc/machine-id.new"
            + " && mv -f /etc/machine-id.new /etc/machine-id"
            + " && { [ ! -d /var/lib/dbus ] || ln -sf /etc/machine-id /var/lib/dbus/machine-id; } && cat /etc/machine-id";

    @Override
    public String name() {
        return "machine-id";
    }

    @Override
    public void converge(StageRun run) {
        Map<String, String> ids = read(run);
        List<Node> regenerate = duplicates(run.nodes(), ids);
        for (Node n : run.nodes()) {
            if (!regenerate.contains(n)) {
                run.out().info(String.format("  %-16s %-10s ok", n.name(), name()));
            }
        }
        Map<String, String> fresh = run.engine().onEach(name(), regenerate, c -> c.exec(REGENERATE).out().strip());
        fresh.forEach((node, id) -> run.out().info(String.format("  %-16s %-10s changed (was shared, now %s...)",
                node, name(), id.substring(0, Math.min(8, id.length())))));
    }

    private Map<String, String> read(StageRun run) {
        return run.engine().onEach(name(), run.nodes(), c -> c.exec(READ).out().strip());
    }

    /** Nodes whose id is empty, malformed, or already held by a lower-numbered node. */
    static List<Node> duplicates(List<Node> nodes, Map<String, String> ids) {
        Map<String, String> firstHolder = new HashMap<>();
        List<Node> out = new ArrayList<>();
        for (Node n : nodes.stream().sorted(java.util.Comparator.comparingInt(Node::index)).toList()) {
            String id = ids.getOrDefault(n.name(), "");
            if (!id.matches("[0-9a-f]{32}") || firstHolder.putIfAbsent(id, n.name()) != null) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public List<CheckResult> check(StageRun run) {
        Map<String, String> ids = read(run);
        Map<String, List<String>> holders = new HashMap<>();
        run.nodes().forEach(n -> holders.computeIfAbsent(ids.getOrDefault(n.name(), ""), k -> new ArrayList<>())
                .add(n.name()));
        List<CheckResult> results = new ArrayList<>();
        for (Node n : run.nodes()) {
            String id = ids.getOrDefault(n.name(), "");
            List<String> others = new ArrayList<>(holders.get(id));
            others.remove(n.name());
            if (!id.matches("[0-9a-f]{32}")) {
                results.add(CheckResult.failed(name(), n.name(), "unique machine-id", "no valid /etc/machine-id"));
            } else if (!others.isEmpty()) {
                results.add(CheckResult.failed(name(), n.name(), "unique machine-id", "same machine-id as "
                        + String.join(", ", others)));
            } else {
                results.add(CheckResult.ok(name(), n.name(), "unique machine-id"));
            }
        }
        return results;
    }
}
