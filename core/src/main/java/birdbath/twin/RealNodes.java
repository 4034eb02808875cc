package birdbath.twin;

import birdbath.BirdbathException;
import birdbath.Parallel;
import birdbath.Reporter;
import birdbath.host.Host;
import birdbath.host.HostPackages;
import birdbath.node.BaseImage;
import birdbath.node.LoopVolume;
import birdbath.node.NodeContainer;
import birdbath.node.NodeNetwork;
import birdbath.sim.NodeBackend;
import birdbath.stage.StagePackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The Linode twin: every instance of the simulated account is a real machine on this host, booted by the same
 * node code as the local provider ({@link NodeContainer}) from an image like a fresh linode/debian12, in its own
 * network namespace on the twin's bridge, with the addresses the API reports (all in 198.18.0.0/15), root's keys
 * and password from the create request, and its volumes as loop devices under Linode's device names. Packages
 * come from a mirror of exactly what the stages install, served on the bridge. The account is made real by a
 * reconciler thread after every change ({@link #sync}); {@link #close()} removes every machine, device,
 * namespace, mount and process, and a new twin first removes what a crashed earlier one left behind.
 */
public final class RealNodes implements NodeBackend {

    private static final Duration T = Duration.ofSeconds(30);
    static final String VOLUME_PATH = "/dev/disk/by-id/scsi-0Linode_Volume_";

    private final Reporter out;
    private final String id;
    private final Path runDir;
    private final String publicPrefix;
    private final String privatePrefix;
    private final Path rootfs;
    private final FileServer files;
    private final Path releases;
    private final TwinFirewall firewall;
    private final TwinDns dns;
    private final ExecutorService reconciler = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "twin-reconciler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Account> wanted = new AtomicReference<>();
    private final Map<Long, MachineState> machines = new ConcurrentHashMap<>();
    private final Map<Long, String> volumeDevices = new HashMap<>();
    private volatile boolean closed;

    /** What the twin knows of one machine; {@code status} is what the API shows. */
    private static final class MachineState {
        volatile String status = "provisioning";
        Machine machine;
        NodeContainer container;
        int bootedGeneration = -1;
        final Map<Long, String> attached = new HashMap<>();
    }

    /**
     * Starts a twin: removes what crashed twins left, builds (once, cached) the fresh image and the package
     * mirror, and wires the bridge. Needs root.
     */
    public RealNodes(Path cacheDir, Reporter out) throws IOException {
        this.out = out;
        preflight();
        Path base = Path.of(System.getProperty("java.io.tmpdir"), "birdbath-twin");
        Files.createDirectories(base);
        sweep(base);
        this.id = UUID.randomUUID().toString().substring(0, 6);
        this.runDir = base.resolve("run-" + id);
        Files.createDirectories(runDir.resolve("nodes"));
        Files.createDirectories(runDir.resolve("volumes"));
        Files.writeString(runDir.resolve("owner"), ProcessHandle.current().pid() + "\n");
        this.rootfs = new BaseImage(cacheDir.resolve("images"), BaseImage.FRESH_DEBIAN12)
                .ensure(BaseImage.hostMirror(), out);
        Path repo = PackageMirror.ensure(cacheDir.resolve("twin-packages"), rootfs, StagePackages.ALL, out);
        int start = Integer.parseInt(id.substring(0, 4), 16) % 512;
        this.publicPrefix = NodeNetwork.freeSlash24(start, List.of());
        this.privatePrefix = NodeNetwork.freeSlash24(start + 1, List.of(publicPrefix));
        NodeNetwork.ensureBridge(bridge(), List.of(gateway() + "/24", privatePrefix + "254/24"));
        this.files = new FileServer(gateway());
        files.mount("/debian/", repo);
        this.firewall = new TwinFirewall(id, gateway());
        this.dns = new TwinDns(gateway());
        this.releases = runDir.resolve("releases");
        Files.createDirectories(releases);
        files.mount("/", releases);
        out.info("twin: bridge " + bridge() + ", public " + publicPrefix + "0/24, private " + privatePrefix
                + "0/24, downloads at " + files.url());
    }

    private static void preflight() {
        if (!"0".equals(Host.run(Duration.ofSeconds(5), "id", "-u").out().strip())) {
            throw new BirdbathException("linode-sim --real-nodes needs root (it boots containers, creates network"
                    + " namespaces and loop devices): run it with sudo");
        }
        // the local provider's tools, and the firewall's and the package mirror's
        List<HostPackages.Tool> needed = new ArrayList<>(birdbath.provider.local.LocalProvider.HOST_TOOLS);
        needed.add(new HostPackages.Tool("nft", "nftables"));
        needed.add(new HostPackages.Tool("dpkg-deb", "dpkg"));
        List<String> missing = HostPackages.missing(needed).stream()
                .map(t -> t.program() + " (apt-get install " + t.debianPackage() + ")").toList();
        if (!missing.isEmpty()) {
            throw new BirdbathException("linode-sim --real-nodes needs " + String.join(", ", missing));
        }
    }

    private String bridge() {
        return "bt" + id;
    }

    private String gateway() {
        return publicPrefix + "254";
    }

    private String namespace(long linodeId) {
        return "bt" + id + "-" + linodeId;
    }

    private String hostVeth(long linodeId) {
        return "vt" + id + "-" + linodeId;
    }

    /** Where release files are served from: a file at {@code releases()/a/b} is at {@code downloadsUrl()/a/b}. */
    public Path releases() {
        return releases;
    }

    public String downloadsUrl() {
        return files.url();
    }

    /** The network namespaces of this twin's machines now on the host. */
    List<String> namespaces() {
        return Host.run(T, "ip", "netns", "list").out().lines().map(l -> l.split(" ")[0])
                .filter(ns -> ns.startsWith("bt" + id + "-")).toList();
    }

    @Override
    public List<String> publicPools() {
        return List.of(publicPrefix);
    }

    @Override
    public String privateRange() {
        return privatePrefix + "0/24";
    }

    @Override
    public int privatePrefix() {
        return 24;
    }

    @Override
    public String vpcSubnetProblem(String cidr) {
        String[] parts = cidr.split("/");
        if (parts.length != 2 || !parts[0].matches("198\\.(18|19)\\.\\d+\\.\\d+") || Integer.parseInt(parts[1]) < 15
                || Integer.parseInt(parts[1]) > 29) {
            return "With --real-nodes the simulator takes VPC subnets inside 198.18.0.0/15 only (/15 to /29), so"
                    + " that no test traffic goes to RFC 1918 addresses; the real API takes RFC 1918 ranges";
        }
        String prefix = parts[0].substring(0, parts[0].lastIndexOf('.') + 1);
        if (prefix.equals(publicPrefix) || prefix.equals(privatePrefix)) {
            return "Overlaps the twin's own " + prefix + "0/24";
        }
        return null;
    }

    @Override
    public String status(long linodeId) {
        MachineState m = machines.get(linodeId);
        return m == null ? "provisioning" : m.status;
    }

    @Override
    public void sync(Account account) {
        if (closed) {
            return;
        }
        wanted.set(account);
        reconciler.submit(this::reconcile);
    }

    /** Makes the latest account real; runs on the reconciler thread only. */
    private void reconcile() {
        Account account = wanted.getAndSet(null);
        if (account == null || closed) {
            return; // an earlier run already took the latest
        }
        try {
            // machines first: a deleted machine lets go of its volumes' devices
            Set<Long> ids = account.machines().stream().map(Machine::id).collect(Collectors.toSet());
            for (Long gone : List.copyOf(machines.keySet())) {
                if (!ids.contains(gone)) {
                    remove(gone);
                }
            }
            volumes(account);
            Map<String, Runnable> boots = new LinkedHashMap<>();
            for (Machine m : account.machines()) {
                MachineState s = machines.computeIfAbsent(m.id(), k -> new MachineState());
                s.machine = m;
                if (s.container == null) {
                    create(s);
                }
                boolean running = s.container.running();
                if (m.on() && (!running || s.bootedGeneration != m.generation())) {
                    Map<Long, String> disks = attached(account, m.id());
                    boots.put(m.label(), () -> boot(s, disks));
                } else if (!m.on() && running) {
                    s.container.stop();
                    s.status = "offline";
                }
            }
            if (!boots.isEmpty()) {
                try {
                    Parallel.run("boot", boots, 16);
                } catch (BirdbathException e) {
                    out.warn("twin: " + e.getMessage()); // each failed machine shows offline, its reason logged
                }
            }
            for (Machine m : account.machines()) {
                MachineState s = machines.get(m.id());
                if ("running".equals(s.status)) {
                    hotplug(account, s);
                }
            }
            firewall.apply(account, this::hostVeth);
            dns.update(account.records(), account.domains());
        } catch (RuntimeException | IOException e) {
            out.warn("twin: " + e.getMessage());
        }
    }

    private void create(MachineState s) throws IOException {
        Machine m = s.machine;
        List<String> addresses = new ArrayList<>();
        addresses.add(m.publicIp() + "/24");
        addresses.addAll(m.privateCidrs());
        NodeNetwork.ensureNamespace(namespace(m.id()), hostVeth(m.id()), bridge(), addresses, gateway());
        NodeContainer c = new NodeContainer(m.label(), runDir.resolve("nodes").resolve(m.label()));
        c.mount(rootfs);
        // what the node's first boot would have: Debian's mirror (here the twin's), a resolver (the gateway)
        c.prepare(m.authorizedKeys(), Map.of(
                "/etc/apt/sources.list", "deb [trusted=yes] " + files.url() + "/debian/ ./\n",
                "/etc/resolv.conf", "nameserver " + gateway() + "\n",
                "/etc/hosts", "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n"));
        if (m.rootPass() != null) {
            c.rootPassword(m.rootPass());
        }
        // what the image's cloud-init does before sshd first starts: the host keys of the user data
        for (String ignored : CloudInitSshKeys.apply(m.userData(), c.merged())) {
            out.warn("twin: " + m.label() + ": the user data's " + ignored + " is not applied by the twin");
        }
        s.container = c;
    }

    /** Boots (or reboots) a machine with {@code disks} (volume id to label) bound under Linode's names. */
    private void boot(MachineState s, Map<Long, String> disks) {
        Machine m = s.machine;
        try {
            if (s.container.running()) {
                s.status = "rebooting";
                s.container.stop();
            }
            s.status = "booting";
            List<String> binds = new ArrayList<>();
            disks.forEach((volume, label) -> binds.add(volumeDevices.get(volume) + ":" + VOLUME_PATH + label));
            s.container.boot(namespace(m.id()), m.publicIp(), binds);
            s.attached.clear();
            s.attached.putAll(disks);
            s.bootedGeneration = m.generation();
            s.status = "running";
        } catch (IOException | RuntimeException e) {
            s.status = "offline";
            throw new BirdbathException(m.label() + " did not boot: " + e.getMessage());
        }
    }

    /** The volumes attached to a machine that have a device: volume id to label. */
    private Map<Long, String> attached(Account account, long linodeId) {
        Map<Long, String> disks = new HashMap<>();
        for (Volume v : account.volumes()) {
            if (v.linodeId() == linodeId && volumeDevices.containsKey(v.id())) {
                disks.put(v.id(), v.label());
            }
        }
        return disks;
    }

    /** Volumes attached or detached while a machine runs appear in or vanish from its /dev, as on Linode. */
    private void hotplug(Account account, MachineState s) {
        Map<Long, String> want = attached(account, s.machine.id());
        for (Map.Entry<Long, String> e : want.entrySet()) {
            if (!s.attached.containsKey(e.getKey())) {
                String path = VOLUME_PATH + e.getValue();
                s.container.inNode("mkdir -p /dev/disk/by-id && rm -f '" + path + "' && mknod -m 660 '" + path
                        + "' b " + readSys(volumeDevices.get(e.getKey())).replace(':', ' '));
                s.attached.put(e.getKey(), e.getValue());
            }
        }
        for (Long gone : List.copyOf(s.attached.keySet())) {
            if (!want.containsKey(gone)) {
                s.container.inNode("rm -f '" + VOLUME_PATH + s.attached.get(gone) + "'");
                s.attached.remove(gone);
            }
        }
    }

    private static String readSys(String device) {
        try {
            return Files.readString(Path.of("/sys/block", Path.of(device).getFileName().toString(), "dev")).strip();
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + device + "'s device number: " + e.getMessage());
        }
    }

    /** A sparse file and loop device per volume; a deleted volume's data goes with it. */
    private void volumes(Account account) throws IOException {
        Set<Long> ids = account.volumes().stream().map(Volume::id).collect(Collectors.toSet());
        for (Volume v : account.volumes()) {
            Path file = runDir.resolve("volumes").resolve(v.id() + ".img");
            volumeDevices.put(v.id(), LoopVolume.ensure(file, v.sizeGb())); // grown as a resize asks
        }
        for (Long gone : List.copyOf(volumeDevices.keySet())) {
            if (!ids.contains(gone)) {
                LoopVolume.remove(runDir.resolve("volumes").resolve(gone + ".img"));
                volumeDevices.remove(gone);
            }
        }
    }

    private void remove(long linodeId) {
        MachineState s = machines.remove(linodeId);
        if (s != null && s.container != null) {
            s.container.remove();
        }
        NodeNetwork.removeNamespace(namespace(linodeId), hostVeth(linodeId));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reconciler.shutdownNow();
        try {
            reconciler.awaitTermination(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        files.close();
        dns.close();
        cleanUp(runDir, id);
    }

    /** Removes everything a twin made under {@code dir} (its id {@code twinId}): nodes, volumes, network. */
    private static void cleanUp(Path dir, String twinId) {
        Map<String, Runnable> stops = new LinkedHashMap<>();
        try (var nodes = Files.list(dir.resolve("nodes"))) {
            // a node's directory is named after its label, which is also its container's machine name
            nodes.forEach(n -> stops.put(n.getFileName().toString(),
                    () -> new NodeContainer(n.getFileName().toString(), n).remove()));
        } catch (IOException e) {
            // no nodes directory: nothing was booted
        }
        Parallel.run("remove twin machines", stops, 16);
        try (var vols = Files.list(dir.resolve("volumes"))) {
            for (Path v : vols.toList()) {
                LoopVolume.remove(v);
            }
        } catch (IOException e) {
            // no volumes directory
        }
        for (String ns : Host.run(T, "ip", "netns", "list").out().lines().map(l -> l.split(" ")[0]).toList()) {
            if (ns.startsWith("bt" + twinId + "-")) {
                NodeNetwork.removeNamespace(ns, "vt" + ns.substring(2));
            }
        }
        NodeNetwork.removeBridge("bt" + twinId);
        TwinFirewall.remove(twinId);
        Host.run(Duration.ofMinutes(1), "rm", "-rf", "--one-file-system", dir.toString());
    }

    /** Twins whose process is gone left their run directory: everything in it is removed. */
    private void sweep(Path base) throws IOException {
        try (var runs = Files.list(base)) {
            for (Path run : runs.filter(p -> p.getFileName().toString().startsWith("run-")).toList()) {
                Path owner = run.resolve("owner");
                long pid = Files.exists(owner) ? Long.parseLong(Files.readString(owner).strip()) : -1;
                if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                out.info("twin: removing what an earlier twin left in " + run);
                cleanUp(run, run.getFileName().toString().substring("run-".length()));
            }
        }
    }
}
