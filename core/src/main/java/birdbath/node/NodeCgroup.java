package birdbath.node;

import birdbath.BirdbathException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A node's own cgroup, in every hierarchy systemd uses here (the unified one, and name=systemd on a hybrid
 * host). nspawn with --keep-unit puts its container's payload below the cgroup it starts in: every node started
 * from one process shared one payload tree, so their systemd instances created and removed the same unit
 * cgroups (one node's finished unit removed the cgroup another node's start was attaching to: status
 * 219/CGROUP, now and then). nspawn is started inside this cgroup instead.
 */
final class NodeCgroup {

    private final List<Path> dirs;

    /** @param key unique to the node on this machine (its name and where its files are) */
    NodeCgroup(String key) {
        List<Path> found = new ArrayList<>();
        try {
            List<String> own = Files.readAllLines(Path.of("/proc/self/cgroup"));
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (dash < 0 || dash + 3 >= f.length) {
                    continue;
                }
                String type = f[dash + 1];
                // which line of /proc/self/cgroup ("ID:CONTROLLERS:PATH") names our place in this hierarchy
                String controllers = type.equals("cgroup2") ? ""
                        : type.equals("cgroup") && f[dash + 3].contains("name=systemd") ? "name=systemd" : null;
                if (controllers == null) {
                    continue;
                }
                String path = own.stream().map(l -> l.split(":", 3)).filter(c -> c.length == 3
                        && c[1].equals(controllers)).map(c -> c[2]).findFirst().orElse("/");
                found.add(Path.of(f[4], path, "birdbath-" + key));
            }
        } catch (IOException e) {
            throw new BirdbathException("cannot read this machine's cgroups: " + e.getMessage());
        }
        this.dirs = found;
    }

    /** The cgroup directories (made when missing) whose cgroup.procs nspawn's starter writes itself into. */
    List<Path> create() throws IOException {
        for (Path d : dirs) {
            Files.createDirectories(d);
        }
        return dirs;
    }

    /**
     * Removes what is left of the node's cgroups once it is stopped, deepest first (rmdir of empty cgroups).
     * Best effort: a cgroup that still holds a process stays, and the next start of the node reuses it.
     */
    void remove() {
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> tree = Files.walk(d)) {
                for (Path p : tree.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException busy) {
                        // still in use
                    }
                }
            } catch (IOException e) {
                // gone meanwhile
            }
        }
    }
}
