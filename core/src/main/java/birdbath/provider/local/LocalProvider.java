package birdbath.provider.local;

import birdbath.BirdbathException;
import birdbath.Hashes;
import birdbath.Parallel;
import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.Role;
import birdbath.host.Host;
import birdbath.host.HostPackages;
import birdbath.node.BaseImage;
import birdbath.node.LoopVolume;
import birdbath.node.NodeContainer;
import birdbath.plan.Change;
import birdbath.plan.Plan;
import birdbath.provider.Node;
import birdbath.provider.Provider;
import birdbath.provider.VolumeSize;
import birdbath.remote.KnownHosts;
import birdbath.secrets.ClusterCredentials;
import birdbath.secrets.SecretFiles;
import birdbath.state.StateFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The `provision` stage on this machine: N systemd-nspawn containers booted with systemd and sshd, each in its
 * own network namespace on a bridge, a loop device per storage node standing in for the Linode volume.
 * Everything lives under .birdbath/local/ (overlays, loop files, the chosen subnet), so `down` can find and
 * remove all of it.
 */
public final class LocalProvider implements Provider {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the provider runs on this machine. */
    public static final List<HostPackages.Tool> HOST_TOOLS = List.of(
            new HostPackages.Tool("systemd-nspawn", "systemd-container"), new HostPackages.Tool("debootstrap", "debootstrap"),
            new HostPackages.Tool("ip", "iproute2"), new HostPackages.Tool("losetup", "mount"),
            new HostPackages.Tool("nsenter", "util-linux"), new HostPackages.Tool("ssh-keygen", "openssh-client"));

    private final ClusterSpec spec;
    private final Map<String, String> env;
    private final Reporter out;
    private final StateFiles files;
    private final Path localDir;

    public LocalProvider(ClusterSpec spec, Map<String, String> env, Reporter out) {
        this.spec = spec;
        this.env = env;
        this.out = out;
        this.files = new StateFiles(spec);
        this.localDir = birdbath.state.StateDir.of(spec).local();
    }

    /** Root and the host tools, or one message saying what is missing and how to get it. */
    public static void preflight() {
        preflight(uid(), Host::has);
    }

    private static String uid() {
        return Host.run(Duration.ofSeconds(5), "id", "-u").out().strip();
    }

    /** Root, then the host tools, installed with apt-get when missing and {@code mayInstall}. */
    @Override
    public void prepareHost(boolean mayInstall) {
        if (!"0".equals(uid())) {
            throw new BirdbathException(NEEDS_ROOT);
        }
        HostPackages.ensure("the local provider", HOST_TOOLS, mayInstall, out);
    }

    private static final String NEEDS_ROOT = "the local provider needs root (it creates network namespaces, loop"
            + " devices and containers): run birdbath with sudo";

    static void preflight(String uid, java.util.function.Predicate<String> installed) {
        List<String> problems = new ArrayList<>();
        if (!"0".equals(uid)) {
            problems.add(NEEDS_ROOT);
        }
        for (HostPackages.Tool tool : HOST_TOOLS) {
            if (!installed.test(tool.program())) {
                problems.add(tool.program() + " is missing: install it with `apt-get install " + tool.debianPackage()
                        + "`");
            }
        }
        if (!problems.isEmpty()) {
            throw new BirdbathException(String.join("\n", problems));
        }
    }

    private NodeContainer container(int n) {
        return new NodeContainer(spec.nodeLabel(n), localDir.resolve("nodes").resolve(spec.nodeLabel(n)));
    }

    private Path volumeFile(int n) {
        return localDir.resolve("volumes").resolve(spec.nodeLabel(n) + ".img");
    }

    /** The size of node n's volume file in GiB, -1 if it has none. */
    private long volumeGb(int n) {
        try {
            return LoopVolume.sizeGb(volumeFile(n));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The cluster's network: chosen once, kept in .birdbath/local/network.json. */
    private LocalNetwork network(boolean allocate) {
        Path file = localDir.resolve("network.json");
        try {
            if (Files.exists(file)) {
                JsonNode n = JSON.readTree(file.toFile());
                return new LocalNetwork(n.get("id").asText(), n.get("subnet").asInt());
            }
            String id = clusterId();
            if (!allocate) {
                return new LocalNetwork(id, -1);
            }
            LocalNetwork net = LocalNetwork.allocate(id);
            SecretFiles.write(file, JSON.writeValueAsBytes(JSON.createObjectNode().put("id", net.id())
                    .put("subnet", net.subnet())));
            return net;
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Six hex digits from the state directory's path and the cluster name: unique per cluster on a machine. */
    private String clusterId() {
        return Hashes.sha256Hex(spec.stateDir().toAbsolutePath() + "|" + spec.name()).substring(0, 6);
    }

    /** Node numbers that have files under .birdbath/local/nodes. */
    private TreeSet<Integer> existingNodes() {
        TreeSet<Integer> out = new TreeSet<>();
        Path nodes = localDir.resolve("nodes");
        if (!Files.isDirectory(nodes)) {
            return out;
        }
        try (Stream<Path> s = Files.list(nodes)) {
            s.map(p -> p.getFileName().toString()).filter(f -> f.matches(java.util.regex.Pattern.quote(spec.name())
                    + "-[1-9][0-9]*")).forEach(f -> out.add(Integer.parseInt(f.substring(spec.name().length() + 1))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public Plan plan() {
        List<Change> changes = new ArrayList<>();
        LocalNetwork net = network(false);
        if (net.subnet() < 0 || !net.bridgeExists()) {
            changes.add(new Change.Create("network", "bb" + net.id(), net.subnet() < 0 ? "bridge, a /24 in"
                    + " 198.18.0.0/15" : "bridge " + net.cidr()));
        }
        for (int n = 1; n <= spec.nodes(); n++) {
            NodeContainer c = container(n);
            String where = net.subnet() < 0 ? "" : net.address(n);
            if (!c.exists()) {
                changes.add(new Change.Create("node", spec.nodeLabel(n), ("container " + where).strip()));
            } else if (!c.running()) {
                changes.add(new Change.Update("node", spec.nodeLabel(n), "start (stopped)"));
            }
            if (spec.roles(n).contains(Role.STORAGE)) {
                long gb = volumeGb(n);
                if (gb >= 0 && VolumeSize.mustGrow(spec, spec.nodeLabel(n), gb)) {
                    changes.add(new Change.Update("volume", spec.nodeLabel(n), VolumeSize.growth(spec, gb)));
                } else if (LoopVolume.deviceOf(volumeFile(n)) == null) {
                    changes.add(new Change.Create("volume", spec.nodeLabel(n), "loop device on a sparse "
                            + spec.volumeSizeGb() + " GB file"));
                }
            }
        }
        for (int n : existingNodes()) {
            if (n > spec.nodes()) {
                changes.add(new Change.Delete("node", spec.nodeLabel(n), "beyond cluster.nodes=" + spec.nodes()
                        + " (needs --yes)"));
            }
        }
        return new Plan(changes, -1, -1);
    }

    @Override
    public List<Node> up(boolean allowRemovals) {
        preflight();
        Plan plan = plan();
        List<String> removals = plan.changes().stream().filter(c -> c instanceof Change.Delete)
                .map(Change::name).toList();
        if (!removals.isEmpty() && !allowRemovals) {
            throw new BirdbathException("cluster.nodes is " + spec.nodes() + ": up would remove "
                    + String.join(", ", removals) + " and their data. Run `birdbath up --yes` to remove them.");
        }
        Path rootfs = new BaseImage(BaseImage.defaultCacheDir(env)).ensure(mirror(), out);
        LocalNetwork net = network(true);
        net.ensureBridge();
        ClusterCredentials credentials = new ClusterCredentials(spec.stateDir());
        List<String> keys = credentials.nodeKeys(spec);
        KnownHosts knownHosts = new KnownHosts(spec.stateDir());
        for (int n = 1; n <= spec.nodes(); n++) {
            if (!container(n).exists()) {
                knownHosts.forget(spec.nodeLabel(n)); // a new node has new host keys
            }
        }
        Map<String, String> devices = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        for (int n = 1; n <= spec.nodes(); n++) {
            int node = n;
            tasks.put(spec.nodeLabel(n), () -> {
                try {
                    boolean wasRunning = container(node).running();
                    net.ensureNamespace(node);
                    String loop = spec.roles(node).contains(Role.STORAGE)
                            ? LoopVolume.ensure(volumeFile(node), spec.volumeSizeGb()) : null;
                    if (loop != null) {
                        devices.put(spec.nodeLabel(node), loop);
                    }
                    NodeContainer c = container(node);
                    c.mount(rootfs);
                    // a resolver on the bridge's host address: nothing answers there, so a lookup fails at once
                    // and no query leaves for the host's resolver
                    c.prepare(keys, Map.of("/etc/resolv.conf", "nameserver " + net.gateway() + "\n"));
                    c.boot(net.namespace(node), net.address(node), loop == null ? List.of() : List.of(loop));
                    if (!wasRunning) {
                        out.info("  + node " + spec.nodeLabel(node) + " running at " + net.address(node));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        long started = System.nanoTime();
        Parallel.run("start nodes", tasks, 16);
        if (allowRemovals) {
            for (int n : existingNodes()) {
                if (n > spec.nodes()) {
                    removeNode(n, net);
                }
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (int n = 1; n <= spec.nodes(); n++) {
            nodes.add(new Node(spec.nodeLabel(n), n, spec.roles(n), net.address(n), net.address(n), spec.fqdn(n),
                    devices.get(spec.nodeLabel(n)), new Node.Ssh(net.address(n), 22), "local"));
        }
        nodes = files.write(nodes);
        out.info(plan.isEmpty() ? "provision: ok, nothing to change (" + spec.nodes() + " nodes)"
                : String.format(java.util.Locale.ROOT, "provision: changed, %d nodes running (%.1f s)",
                spec.nodes(), (System.nanoTime() - started) / 1e9));
        return nodes;
    }

    private void removeNode(int n, LocalNetwork net) {
        container(n).remove();
        try {
            LoopVolume.remove(volumeFile(n));
        } catch (IOException e) {
            throw new BirdbathException("cannot remove " + volumeFile(n) + ": " + e.getMessage());
        }
        net.removeNamespace(n);
        out.info("  - node " + spec.nodeLabel(n) + " removed");
    }

    private String mirror() {
        return spec.localMirror() != null ? spec.localMirror() : BaseImage.hostMirror();
    }

    @Override
    public List<String> downListing() {
        List<String> lines = new ArrayList<>();
        LocalNetwork net = network(false);
        for (int n : existingNodes()) {
            lines.add("node      " + spec.nodeLabel(n) + (container(n).running() ? " (running)" : " (stopped)")
                    + (Files.exists(volumeFile(n)) ? " and its volume" : ""));
        }
        if (net.subnet() >= 0) {
            lines.add("network   bridge " + net.bridge() + " (" + net.cidr() + ")");
        }
        return lines;
    }

    @Override
    public void down() {
        preflight();
        LocalNetwork net = network(false);
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        for (int n : existingNodes()) {
            tasks.put(spec.nodeLabel(n), () -> removeNode(n, net));
        }
        Parallel.run("remove nodes", tasks, 16);
        if (net.subnet() >= 0) {
            net.removeBridge();
            out.info("  - network " + net.bridge() + " removed");
        }
        Host.check(Duration.ofMinutes(1), "rm", "-rf", "--one-file-system", localDir.toString());
        files.remove();
    }
}
