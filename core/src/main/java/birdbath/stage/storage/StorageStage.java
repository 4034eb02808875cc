package birdbath.stage.storage;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.host.Host;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.remote.NodeFile;
import birdbath.remote.Step;
import birdbath.remote.Step.EnsurePackages;
import birdbath.remote.Step.RunUnless;
import birdbath.secrets.SecretFiles;
import birdbath.stage.CheckResult;
import birdbath.stage.NodeCommands;
import birdbath.stage.NodeSteps;
import birdbath.stage.Stage;
import birdbath.stage.StageContext;
import birdbath.stage.StageRun;
import birdbath.stage.Template;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * GlusterFS on the nodes' block volumes: each storage node's device becomes an XFS brick (only if it carries
 * nothing, unless `up --format-storage`), glusterd peers over the private addresses (so through IPsec), one
 * replicated volume, FUSE-mounted on every node at {@value #MOUNT}. Kubernetes gets a ReadWriteMany
 * StorageClass through local-path-provisioner's sharedFileSystemPath (manifests in .birdbath/manifests/).
 */
public final class StorageStage implements Stage {

    public static final String MOUNT = "/mnt/birdbath";
    /** Where a node's brick filesystem is mounted (for tests and tools outside this package). */
    public static final String BRICK_MOUNT = GlusterLayout.BRICK_MOUNT;
    public static final String BRICK_DIR = GlusterLayout.BRICK_DIR;
    public static final String VOLUME = GlusterLayout.VOLUME;
    static final String K8S_DIR = "k8s";
    static final String MOUNT_UNIT = "mnt-birdbath.mount";
    /** A peer's state in `gluster peer status` once its handshake is done and it is reachable. */
    static final String PEER_IN_CLUSTER = StorageRejoin.IN_CLUSTER + " (Connected)";
    static final String BRICK_UNIT = "var-lib-birdbath-brick.mount";
    static final String REMOUNT_SERVICE = "birdbath-storage-remount.service";
    static final String REMOUNT_TIMER = "birdbath-storage-remount.timer";
    static final String PREPARE = "/etc/birdbath/prepare-brick.sh";
    /** On the storage servers: glusterd and the brick filesystem's tools. */
    public static final List<String> SERVER_PACKAGES = List.of("glusterfs-server", "xfsprogs");
    /** On every node: the FUSE client that mounts the volume. */
    public static final List<String> CLIENT_PACKAGES = List.of("glusterfs-client");
    /** kubelet waits for the volume's mount. */
    static final String KUBELET_DROP_IN = NodeFile.UNITS + "kubelet.service.d/20-birdbath-storage.conf";
    static final String PROVISIONER_IMAGE = "rancher/local-path-provisioner:v0.0.31";
    static final String HELPER_IMAGE = "busybox:1.37";
    static final Duration PEER_DEADLINE = Duration.ofSeconds(90);
    static final String HEAL_TIMEOUT = "cluster.heal-timeout";
    static final String HEAL_SECONDS = "30";

    @Override
    public String name() {
        return "storage";
    }

    /**
     * A node with a brick: the script that makes its filesystem and the brick's mount unit. Every node: the
     * volume's mount unit, the timer that mounts it again when it is gone, and kubelet's wait for that mount.
     */
    @Override
    public List<NodeFile> files(StageContext context, Node node) {
        GlusterLayout layout = GlusterLayout.of(context.nodes());
        List<NodeFile> files = new ArrayList<>();
        if (layout.servers().isEmpty()) {
            return files;
        }
        if (hasBrick(layout, node)) {
            files.add(NodeFile.of(PREPARE, Template.render("storage/prepare-brick.sh", Map.of())).withMode("755"));
            files.add(NodeFile.of(NodeFile.UNITS + BRICK_UNIT, Template.render("storage/brick.mount", Map.of("device",
                    node.storageDevice(), "where", GlusterLayout.BRICK_MOUNT))).restartsUnit(BRICK_UNIT));
        }
        List<Node> servers = layout.servers();
        Node first = servers.get(0);
        List<String> backups = servers.stream().filter(s -> s != first).map(Node::privateIp).toList();
        // not restarted when it changes (servers added or removed): the client follows the volume's graph as it
        // is, the server list matters only for the next mount, and a restart would unmount under running pods
        files.add(NodeFile.of(NodeFile.UNITS + MOUNT_UNIT, Template.render("storage/volume.mount", Map.of("server",
                first.privateIp(), "backups", backups.isEmpty() ? first.privateIp() : String.join(":", backups),
                "volume", GlusterLayout.VOLUME, "where", MOUNT))));
        files.add(NodeFile.of(NodeFile.UNITS + REMOUNT_SERVICE, Template.render("storage/" + REMOUNT_SERVICE,
                Map.of("where", MOUNT, "mount_unit", MOUNT_UNIT))));
        files.add(NodeFile.of(NodeFile.UNITS + REMOUNT_TIMER, Template.render("storage/" + REMOUNT_TIMER, Map.of()))
                .restartsUnit(REMOUNT_TIMER));
        // read by systemd when kubelet is installed (the kubernetes stage), harmless before and without it
        files.add(NodeFile.of(KUBELET_DROP_IN, Template.render("storage/kubelet-after-storage.conf",
                Map.of("where", MOUNT, "mount_unit", MOUNT_UNIT))));
        return files;
    }

    private static boolean hasBrick(GlusterLayout layout, Node node) {
        return layout.brickNodes().contains(node) || node.storageDevice() != null && layout.servers().contains(node);
    }

    /** The Kubernetes objects that give the cluster its `glusterfs` StorageClass (the apps send them). */
    public static List<HasMetadata> objects() {
        Object parsed = new KubernetesSerialization().unmarshal(new ByteArrayInputStream(manifests()
                .getBytes(StandardCharsets.UTF_8)));
        return ((List<?>) parsed).stream().map(HasMetadata.class::cast).toList();
    }

    /** The same as YAML, kept in .birdbath/manifests/storage.yaml for kubectl users. */
    public static String manifests() {
        return Template.render("storage/local-path-storage.yaml", Map.of("where", MOUNT, "k8s_dir", K8S_DIR,
                "helper_image", HELPER_IMAGE, "provisioner_image", PROVISIONER_IMAGE,
                "provisioner", "birdbath.dev/glusterfs"));
    }

    private static boolean brickFile(NodeFile f) {
        return f.path().equals(PREPARE) || f.path().endsWith(BRICK_UNIT);
    }

    private List<Step> serverSteps(StageRun run, GlusterLayout layout, Node node) {
        NodeSteps steps = new NodeSteps(files(run.context(), node).stream().filter(StorageStage::brickFile).toList());
        steps.add(new EnsurePackages(SERVER_PACKAGES));
        if (steps.declares(PREPARE)) {
            String device = node.storageDevice();
            steps.put(PREPARE)
                    .add(new RunUnless("brick filesystem on " + device, PREPARE + " " + device
                            + (run.formatStorage() ? " wipe" : ""), "[ \"$(blkid -p -s LABEL -o value " + device
                            + ")\" = bb-brick ] && [ \"$(blkid -p -s TYPE -o value " + device + ")\" = xfs ]"))
                    .put(NodeFile.UNITS + BRICK_UNIT)
                    .unit(BRICK_UNIT)
                    // only on the mounted brick, never on the root filesystem underneath
                    .add(new RunUnless("brick directory", "mountpoint -q " + GlusterLayout.BRICK_MOUNT + " && mkdir -p "
                            + GlusterLayout.BRICK_DIR, "test -d " + GlusterLayout.BRICK_DIR))
                    .add(growBrick(device));
        }
        if (node == layout.arbiter()) {
            steps.add(new RunUnless("arbiter directory", "mkdir -p " + GlusterLayout.ARBITER_DIR,
                    "test -d " + GlusterLayout.ARBITER_DIR));
        }
        return steps.unit("glusterd.service").build();
    }

    /**
     * The brick's XFS grown online to its device, once the volume under it has grown (storage.volume_size_gb
     * raised); a no-op while the filesystem fills the device but for less than 64 MiB.
     */
    private static Step growBrick(String device) {
        String mount = GlusterLayout.BRICK_MOUNT;
        return new RunUnless("brick filesystem fills " + device, "xfs_growfs -d " + mount,
                "! mountpoint -q " + mount + " || { set -- $(xfs_info " + mount + " | sed -n"
                        + " 's/^data *= *bsize=\\([0-9]*\\) *blocks=\\([0-9]*\\).*/\\1 \\2/p');"
                        + " [ $(( $(blockdev --getsize64 " + device + ") - $1 * $2 )) -lt 67108864 ]; }");
    }

    private List<Step> mountSteps(StageRun run, Node node) {
        return new NodeSteps(files(run.context(), node).stream().filter(f -> !brickFile(f)).toList())
                .add(new EnsurePackages(CLIENT_PACKAGES))
                .putRest()
                .unit(MOUNT_UNIT)
                .unit(REMOUNT_TIMER)
                .build();
    }

    @Override
    public void converge(StageRun run) {
        GlusterLayout layout = GlusterLayout.of(run.nodes());
        if (layout.servers().isEmpty()) {
            run.out().info("  no storage nodes (storage.nodes is 0): nothing to do");
            return;
        }
        layout.warnings().forEach(w -> run.out().warn("storage: " + w));
        run.engine().converge(name(), layout.servers(), node -> serverSteps(run, layout, node));
        List<String> rebuilt = new StorageRejoin(run, layout).rejoin();
        volume(run, layout);
        new BrickRestore(run, layout).restore(rebuilt);
        run.engine().converge(name(), run.nodes(), node -> mountSteps(run, node));
        Node first = layout.servers().get(0);
        SshConnection c = run.engine().session(first);
        must(c, "mountpoint -q " + MOUNT + " && mkdir -p " + MOUNT + "/" + K8S_DIR);
        Path manifests = birdbath.state.StateDir.of(run.spec()).manifest("storage.yaml");
        SecretFiles.write(manifests, manifests().getBytes(StandardCharsets.UTF_8));
    }

    /** Peers probed, the volume created and started, from the first server; each only when missing. */
    private void volume(StageRun run, GlusterLayout layout) {
        List<Node> servers = layout.servers();
        Node first = servers.get(0);
        SshConnection c = run.engine().session(first);
        Map<String, GlusterStatus.PoolMember> pool = GlusterStatus.pool(c);
        boolean probed = false;
        for (Node peer : servers.subList(1, servers.size())) {
            if (!pool.containsKey(peer.privateIp())) {
                must(c, "gluster --mode=script peer probe " + peer.privateIp());
                report(run, first.name(), "probed peer " + peer.name() + " (" + peer.privateIp() + ")");
                probed = true;
            }
        }
        if (servers.size() > 1) {
            // so that the others know the first server by its address, not by the name it probed them from;
            // peer status lists that address among the "Other names" (pool list shows only the first name)
            Node second = servers.get(1);
            if (!must(run.engine().session(second), "gluster --mode=script peer status").contains(first.privateIp())) {
                must(run.engine().session(second), "gluster --mode=script peer probe " + first.privateIp());
                probed = true;
            }
        }
        // the pool list read above says so already when nothing was probed and every peer is connected
        long connected = pool.entrySet().stream().filter(e -> !e.getKey().equals("localhost")
                && e.getValue().connected()).count();
        if (probed || connected < servers.size() - 1) {
            Poll.until("GlusterFS peers to connect", PEER_DEADLINE, Duration.ofMillis(500), () ->
                    connectedPeers(c) >= servers.size() - 1);
        }
        java.util.Optional<GlusterStatus.Volume> found = GlusterStatus.volume(c);
        if (found.isEmpty()) {
            must(c, layout.createCommand());
            report(run, first.name(), "created volume " + GlusterLayout.VOLUME + " (" + layout.type() + " on "
                    + layout.servers().stream().map(Node::name).toList() + ")");
        }
        // read again only after a create: the one read above serves every other run
        GlusterStatus.Volume volume = found.isPresent() ? found.get() : volume(c);
        // the self-heal daemon crawls for pending heals every heal-timeout seconds (600 by default); it also
        // starts when a brick comes back, but entries marked while that brick reconnects waited 10 minutes
        if (layout.replicated() && !HEAL_SECONDS.equals(volume.options().get(HEAL_TIMEOUT))) {
            must(c, "gluster --mode=script volume set " + GlusterLayout.VOLUME + " " + HEAL_TIMEOUT + " "
                    + HEAL_SECONDS);
            report(run, first.name(), "self-heal crawls every " + HEAL_SECONDS + " s");
        }
        if (!volume.started()) {
            must(c, "gluster --mode=script volume start " + GlusterLayout.VOLUME);
            report(run, first.name(), "started volume " + GlusterLayout.VOLUME);
        }
        new StorageGrow(run, c).converge(volume, layout);
    }

    /** The volume as the server {@code c} shows it; it must exist. */
    static GlusterStatus.Volume volume(SshConnection c) {
        return GlusterStatus.volume(c).orElseThrow(() -> new BirdbathException(c.node() + ": storage: `gluster volume"
                + " info " + GlusterLayout.VOLUME + " --xml` does not show the volume"));
    }

    /**
     * Whether every server sees every other "Peer in Cluster (Connected)". Each glusterd has its own view: after a
     * restart, the restarted one can see all its peers while one of them still holds it disconnected (seen on the
     * twin), and a command run there (reset-brick) fails with "Host ... not connected".
     */
    static boolean poolSettled(StageRun run, List<Node> servers) {
        return servers.stream().allMatch(n -> connectedPeers(run.engine().session(n)) >= servers.size() - 1);
    }

    /**
     * Starts glusterd. Debian's unit (10.3-5) allows 6 starts an hour (StartLimitBurst=6; a restart counts) and a
     * rejoin, a brick reset and the pool's repair each restart it, so the counter is flushed first. That unit also
     * stops with KillMode=control-group: the server's brick processes stop with glusterd, which starts them again.
     */
    static final String START_GLUSTERD = "{ systemctl reset-failed glusterd || true; systemctl start glusterd; }";
    static final String RESTART_GLUSTERD = "systemctl stop glusterd && " + START_GLUSTERD;

    /**
     * Waits until {@code bricks}, a server's own, are online again after its glusterd was restarted (Debian's unit
     * stops them with it), at most {@link StorageRepair#BRICKS_DEADLINE}; whether they are.
     */
    static boolean bricksBack(SshConnection c, String server, List<String> bricks) {
        return Poll.within(server + "'s bricks to be back", StorageRepair.BRICKS_DEADLINE, Duration.ofSeconds(1),
                () -> GlusterStatus.offline(c, bricks).isEmpty());
    }

    static int connectedPeers(SshConnection c) {
        return connectedPeers(peers(c));
    }

    /** Of a server's peers ({@link #peers}), those in the cluster and connected. */
    static int connectedPeers(Map<String, String> peers) {
        // only a peer in the cluster counts: "Accepted peer request (Connected)" is a handshake half done
        return (int) peers.values().stream().filter(PEER_IN_CLUSTER::equals).count();
    }

    /** `gluster peer status` on {@code c}: each peer's address (its first name) and state, in its order. */
    static Map<String, String> peers(SshConnection c) {
        Map<String, String> states = new java.util.LinkedHashMap<>();
        String host = null;
        for (String line : c.exec("gluster --mode=script peer status").out().lines().toList()) {
            if (line.startsWith("Hostname: ")) {
                host = line.substring("Hostname: ".length()).strip();
            } else if (line.startsWith("State: ") && host != null) {
                states.put(host, line.substring("State: ".length()).strip());
            }
        }
        return states;
    }

    static String must(SshConnection c, String command) {
        return NodeCommands.must(c, "storage", command, null, Duration.ofMinutes(5));
    }

    private static void report(StageRun run, String node, String what) {
        NodeCommands.report(run.out(), node, "storage", what);
    }

    /**
     * Per server: peers connected, its bricks online; on the first server: volume started, nothing waiting for
     * self-heal; per node: the mount takes a write and gives it back.
     */
    @Override
    public List<CheckResult> check(StageRun run) {
        GlusterLayout layout = GlusterLayout.of(run.nodes());
        List<CheckResult> results = new ArrayList<>();
        if (layout.servers().isEmpty()) {
            return results;
        }
        Map<String, String> peers = run.engine().onEach("check storage", layout.servers(),
                c -> String.valueOf(connectedPeers(c)));
        Node first = layout.servers().get(0);
        SshConnection c = run.engine().session(first);
        Map<String, Boolean> bricks = GlusterStatus.bricks(c);
        java.util.Optional<GlusterStatus.Volume> volume = GlusterStatus.volume(c);
        for (Node s : layout.servers()) {
            int connected = Integer.parseInt(peers.getOrDefault(s.name(), "0"));
            results.add(CheckResult.of(name(), s.name(), "peers connected", connected == layout.servers().size() - 1,
                    connected + " of "
                    + (layout.servers().size() - 1) + " peers connected"));
        }
        results.add(CheckResult.of(name(), first.name(), "volume started", volume.map(GlusterStatus.Volume::started)
                .orElse(false), "volume " + GlusterLayout.VOLUME + (volume.isEmpty() ? " does not exist"
                : " is not started")));
        List<String> inVolume = volume.map(GlusterStatus.Volume::bricks).orElse(List.of());
        for (String brick : layout.bricks()) {
            Boolean online = bricks.get(brick);
            results.add(CheckResult.of(name(), layout.owner(brick).name(), "brick online", Boolean.TRUE.equals(online),
                    brick + (volume.isPresent() && !inVolume.contains(brick) ? " is not in the volume yet; `birdbath"
                    + " up` adds it" : (online == null ? " is not listed" : " is offline")
                    + "; `birdbath repair storage` starts it")));
        }
        volume.ifPresent(v -> results.add(CheckResult.of(name(), first.name(), "bricks as configured", v.bricks()
                .stream().allMatch(layout.bricks()::contains) && StorageGrow.balanced(v), v.bricks().stream()
                .anyMatch(b -> !layout.bricks().contains(b)) ? "the volume has bricks the config leaves out; `birdbath"
                + " up --yes` moves their data off and removes them" : "files are not yet spread over all "
                + v.bricks().size() + " bricks; `birdbath up` rebalances")));
        if (layout.replicated()) {
            long pending = GlusterStatus.pendingHeals(c);
            results.add(CheckResult.of(name(), first.name(), "nothing to heal", pending == 0, pending < 0
                    ? "a brick cannot say what it has to heal (it is down)"
                    : pending + " entries wait for self-heal; `birdbath repair storage` heals and waits"));
        }
        Map<String, String> mounts = run.engine().onEach("check storage mounts", run.nodes(), StorageStage::probeMount);
        for (Node n : run.nodes()) {
            String why = mounts.getOrDefault(n.name(), "no answer");
            results.add(CheckResult.of(name(), n.name(), "mount works", why));
        }
        return results;
    }

    /** "" when a file written to the mount reads back the same; else what went wrong. */
    static String probeMount(SshConnection c) {
        String token = UUID.randomUUID().toString();
        String f = MOUNT + "/.birdbath-probe-" + c.node();
        // a dead FUSE client leaves the mount point answering "Transport endpoint is not connected"
        Host.Result r = c.exec("mountpoint -q " + MOUNT + " || { e=$(stat " + MOUNT + " 2>&1 >/dev/null);"
                + " echo \"not mounted${e:+ ($e)}\" >&2; exit 1; }; timeout 15 sh -c"
                + " 'echo " + token + " > " + f + " && cat " + f + " && rm -f " + f + "'", null, Duration.ofSeconds(30));
        if (r.ok() && r.out().strip().equals(token)) {
            return "";
        }
        String err = Host.tail(r.err().isBlank() ? r.out() : r.err());
        if (r.exit() == 124) {
            err = "a write to " + MOUNT + " hung for 15 s";
        }
        return err.isBlank() ? "read back something else" : err;
    }
}
