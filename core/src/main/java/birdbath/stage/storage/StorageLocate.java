package birdbath.stage.storage;

import birdbath.Shell;
import birdbath.BirdbathException;
import birdbath.provider.Node;
import birdbath.stage.StageRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * `storage locate PATH`: which bricks on which nodes hold a file of the volume (the original's "copy data out of
 * a brick" runbook starts here). Looks on every brick itself, so it answers even when the volume is down.
 */
public final class StorageLocate {

    /** A copy of the file: the node, and its full path on that node's brick. */
    public record Copy(String node, String brickPath, long size) { }

    private StorageLocate() { }

    public static List<Copy> locate(StageRun run, String path) {
        String rel = relative(path);
        GlusterLayout layout = GlusterLayout.of(run.nodes());
        List<Node> holders = new ArrayList<>(layout.brickNodes());
        if (layout.arbiter() != null) {
            holders.add(layout.arbiter());
        }
        Map<String, String> found = run.engine().onEach("locate", holders, c -> {
            Node n = holders.stream().filter(h -> h.name().equals(c.node())).findFirst().orElseThrow();
            String brick = (n == layout.arbiter() ? GlusterLayout.ARBITER_DIR : GlusterLayout.BRICK_DIR) + "/" + rel;
            // a zero-size file with only the sticky bit is a distribute link to the real one, not a copy
            return c.exec("stat -c '%s %A' " + Shell.quote(brick) + " 2>/dev/null").out().strip()
                    + "\t" + brick;
        });
        List<Copy> copies = new ArrayList<>();
        for (Node n : holders) {
            String[] r = found.getOrDefault(n.name(), "\t").split("\t", 2);
            if (r[0].isEmpty() || r[0].matches("0 -+T")) {
                continue;
            }
            copies.add(new Copy(n.name(), r[1], Long.parseLong(r[0].split(" ")[0])));
        }
        return copies;
    }

    /** PATH inside the volume, given as such or as a path under the mount point. */
    static String relative(String path) {
        String p = path.startsWith(StorageStage.MOUNT + "/") ? path.substring(StorageStage.MOUNT.length() + 1)
                : path.replaceFirst("^/+", "");
        if (p.isEmpty() || List.of(p.split("/")).contains("..")) {
            throw new BirdbathException("'" + path + "' is not a path inside the volume (expected e.g. k8s/pvc-x/file"
                    + " or " + StorageStage.MOUNT + "/k8s/pvc-x/file)");
        }
        return p;
    }
}
