package birdbath;

import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.ProviderKind;
import birdbath.config.ConfigLoader;
import birdbath.linode.ApiSettings;
import birdbath.pki.Pki;
import birdbath.plan.Plan;
import birdbath.provider.Node;
import birdbath.provider.Provider;
import birdbath.provider.Providers;
import birdbath.remote.Engine;
import birdbath.remote.KnownHosts;
import birdbath.remote.SshConnector;
import birdbath.secrets.ClusterCredentials;
import birdbath.secrets.StatePermissions;
import birdbath.secrets.SecretFiles;
import birdbath.remote.NodeFile;
import birdbath.stage.CheckResult;
import birdbath.stage.Pipeline;
import birdbath.stage.Stage;
import birdbath.stage.StageContext;
import birdbath.stage.StageRun;
import birdbath.stage.backup.BackupStore;
import birdbath.stage.etcd.EtcdCluster;
import birdbath.stage.etcd.EtcdLeaving;
import birdbath.stage.etcd.EtcdOperations;
import birdbath.stage.kubernetes.KubernetesLeaving;
import birdbath.stage.kubernetes.KubernetesStage;
import birdbath.stage.kubernetes.Kubeconfigs;
import birdbath.stage.storage.StorageLocate;
import birdbath.stage.storage.StorageRepair;
import birdbath.stage.storage.StorageShrink;
import birdbath.state.StateDir;
import birdbath.state.StateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the commands do, as a library: the CLI parses and prints, tests call this directly. */
public final class Birdbath {

    /** The stages of `up`, in order. */
    public static final List<String> STAGES = Pipeline.names();

    private final ClusterSpec spec;
    private final Map<String, String> env;
    private final Reporter out;
    private final ApiSettings settings;

    public Birdbath(Path configFile, Map<String, String> env, Reporter out) {
        this(configFile, env, out, ApiSettings.defaults());
    }

    public Birdbath(Path configFile, Map<String, String> env, Reporter out, ApiSettings settings) {
        this.spec = new ConfigLoader(env).load(configFile, out::warn);
        StatePermissions.ensure(spec.stateDir());
        this.env = env;
        this.out = out;
        this.settings = settings;
    }

    public ClusterSpec spec() {
        return spec;
    }

    private Provider provider() {
        return Providers.create(spec, env, out, settings);
    }

    public Plan plan() {
        return provider().plan();
    }

    /**
     * Converges the stages from {@code from} (or all), or only those in {@code only}.
     * @return the nodes as provisioned
     */
    public List<Node> up(List<String> only, String from, boolean allowRemovals) {
        return up(only, from, allowRemovals, false);
    }

    /** As {@link #up(List, String, boolean)}; {@code formatStorage} lets the storage stage wipe used devices. */
    public List<Node> up(List<String> only, String from, boolean allowRemovals, boolean formatStorage) {
        return up(only, from, allowRemovals, formatStorage, true);
    }

    /**
     * As {@link #up(List, String, boolean, boolean)}; without {@code installHostTools} the provision stage refuses,
     * naming the packages, rather than install what the provider needs on this machine.
     */
    public List<Node> up(List<String> only, String from, boolean allowRemovals, boolean formatStorage,
                         boolean installHostTools) {
        List<Stage> stages = new ArrayList<>(Pipeline.select(only, from));
        List<Node> nodes = null;
        if (stages.remove(Pipeline.PROVISION)) {
            long started = System.nanoTime();
            if (allowRemovals) {
                beforeRemovals();
            }
            nodes = Pipeline.PROVISION.provision(provider(), allowRemovals, installHostTools);
            done(Pipeline.PROVISION.name(), started);
        }
        if (!stages.isEmpty()) {
            if (nodes == null) {
                nodes = nodes();
            }
            try (OpenRun run = openRun(nodes, formatStorage)) {
                for (Stage stage : stages) {
                    long started = System.nanoTime();
                    out.info(stage.name() + ":");
                    Pipeline.converge(stage, run.run());
                    done(stage.name(), started);
                }
            }
            nodes = new StateFiles(spec).followLoginUser(nodes);
        }
        return nodes;
    }

    /**
     * Before the provider removes nodes or volumes: the data on their bricks moved to the bricks that stay, their
     * Kubernetes nodes drained and deleted, their etcd members removed one at a time (only when the state file
     * says some go; no node is asked otherwise).
     */
    private void beforeRemovals() {
        if (!Files.exists(StateDir.of(spec).stateJson())) {
            return;
        }
        List<Node> current = nodes();
        if (current.stream().allMatch(SshConnector::simulated)) {
            return; // linode-sim's nodes without machines: no data, member or pod to move
        }
        List<Node> staying = StorageShrink.staying(spec, current);
        boolean storage = StorageShrink.needed(current, staying);
        boolean leaving = current.size() > staying.size();
        if (storage || leaving) {
            out.info("before nodes or volumes go:");
            try (OpenRun run = openRun(current)) {
                if (storage) {
                    StorageShrink.drain(run.run(), staying);
                }
                KubernetesLeaving.remove(run.run(), staying);
                EtcdLeaving.remove(run.run(), staying);
            }
        }
    }

    private void done(String stage, long started) {
        out.info(String.format(java.util.Locale.ROOT, "%s: done in %.1f s", stage, (System.nanoTime() - started) / 1e9));
    }

    /** A stage run whose engine (and its SSH sessions) is closed when the run is. */
    private record OpenRun(StageRun run) implements AutoCloseable {
        @Override
        public void close() {
            run.engine().close();
        }
    }

    private OpenRun openRun(List<Node> nodes) {
        return openRun(nodes, false);
    }

    private OpenRun openRun(List<Node> nodes, boolean formatStorage) {
        ClusterCredentials credentials = new ClusterCredentials(spec.stateDir());
        credentials.publicKey();
        SshConnector connector = new SshConnector(credentials.privateKeyFile(), KnownHosts.of(spec),
                Engine.CONNECT_DEADLINE);
        Engine engine = new Engine(connector, List.of(credentials.loginUser(), "root"),
                StateDir.of(spec).logs(), out, 16);
        return new OpenRun(new StageRun(spec, nodes, engine, connector, credentials, out, formatStorage));
    }

    /** Every stage's promises on every node: one result per probe and node. */
    public List<CheckResult> check(List<String> only) {
        List<Stage> stages = Pipeline.select(only, null);
        List<CheckResult> results = new ArrayList<>();
        try (OpenRun run = openRun(nodes())) {
            for (Stage stage : stages) {
                results.addAll(Pipeline.check(stage, run.run()));
            }
        }
        return results;
    }

    /** Runs one command on a node as root; returns its exit code, its output going to the given streams. */
    public int ssh(String nodeName, String command, java.io.PrintStream stdout, java.io.PrintStream stderr) {
        Node node = node(nodeName);
        try (OpenRun run = openRun(List.of(node))) {
            var r = run.run().engine().session(node).exec(command, null, java.time.Duration.ofHours(1));
            stdout.print(r.out());
            stderr.print(r.err());
            return r.exit();
        }
    }

    /** The OpenSSH command line for an interactive shell on a node, with birdbath's key and pinned host key. */
    public List<String> interactiveSsh(String nodeName) {
        Node node = node(nodeName);
        ClusterCredentials credentials = new ClusterCredentials(spec.stateDir());
        return List.of("ssh", "-i", credentials.privateKeyFile().toString(), "-p", String.valueOf(node.ssh().port()),
                "-o", "UserKnownHostsFile=" + StateDir.of(spec).knownHosts(), "-o", "HostKeyAlias=" + node.name(),
                "-o", "StrictHostKeyChecking=yes", "-o", "UpdateHostKeys=no",
                credentials.loginUser() + "@" + node.ssh().host());
    }

    private Node node(String name) {
        return nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow(() ->
                new BirdbathException("no node '" + name + "'; nodes: " + String.join(", ",
                        nodes().stream().map(Node::name).toList())));
    }

    /** The files a stage keeps on a node (all nodes when {@code nodeName} is null), without writing them. */
    public Map<String, List<NodeFile>> render(String stageName, String nodeName) {
        Stage stage = Pipeline.named(stageName);
        List<Node> nodes = nodes();
        StageContext context = new StageContext(spec, nodes, new ClusterCredentials(spec.stateDir()));
        Map<String, List<NodeFile>> files = new LinkedHashMap<>();
        for (Node n : nodeName == null ? nodes : List.of(node(nodeName))) {
            files.put(n.name(), stage.files(context, n));
        }
        return files;
    }

    public List<String> downListing() {
        return provider().downListing();
    }

    public void down() {
        provider().down();
    }

    public List<Node> nodes() {
        return new StateFiles(spec).read().nodes();
    }

    /** Runs {@code fn} with the etcd members reachable through birdbath's client certificate (tests, benchmarks). */
    public <T> T withEtcd(java.util.function.Function<EtcdCluster, T> fn) {
        try (OpenRun run = openRun(nodes())) {
            return fn.apply(new EtcdCluster(run.run()));
        }
    }

    /** `etcd status`: every member's health, role, database size and raft index. */
    public List<EtcdOperations.MemberStatus> etcdStatus() {
        try (OpenRun run = openRun(nodes())) {
            return new EtcdOperations(run.run()).status();
        }
    }

    /** `etcd snapshot FILE`: the bytes written. */
    public long etcdSnapshot(Path file) {
        try (OpenRun run = openRun(nodes())) {
            return new EtcdOperations(run.run()).snapshot(file);
        }
    }

    /** `etcd restore FILE`: where each member's previous data dir was kept. */
    public Map<String, String> etcdRestore(Path file) {
        try (OpenRun run = openRun(nodes())) {
            return new EtcdOperations(run.run()).restore(file);
        }
    }

    /** `backup list`: the backups the nodes took on schedule, oldest first. */
    public List<BackupStore.Backup> backupList() {
        try (OpenRun run = openRun(nodes())) {
            return new BackupStore(run.run()).list();
        }
    }

    /** `backup fetch [NAME...] [--to DIR]`: into DIR, by default .birdbath/backups/. */
    public List<BackupStore.Fetched> backupFetch(List<String> names, Path dir) {
        try (OpenRun run = openRun(nodes())) {
            return new BackupStore(run.run()).fetch(names, dir != null ? dir : spec.stateDir().resolve("backups"));
        }
    }

    /** `repair storage`: what was fixed, one line each (nothing when all worked). */
    public List<String> repairStorage() {
        try (OpenRun run = openRun(nodes())) {
            return new StorageRepair(run.run()).repair();
        }
    }

    /** `storage locate PATH`: the bricks holding a file of the volume. */
    public List<StorageLocate.Copy> locateInStorage(String path) {
        try (OpenRun run = openRun(nodes())) {
            return StorageLocate.locate(run.run(), path);
        }
    }

    /**
     * `kubeconfig [--merge]`: fetches the admin kubeconfig from the first control-plane node into
     * .birdbath/kubeconfig; with {@code mergeInto}, also merges it into that file. Returns what was written.
     */
    public List<String> kubeconfig(Path mergeInto) {
        requireKubernetes("there is no kubeconfig");
        List<Node> nodes = nodes();
        Node first = nodes.stream().filter(n -> n.roles().contains(ClusterSpec.Role.CONTROL_PLANE)).findFirst()
                .orElseThrow();
        List<String> done = new java.util.ArrayList<>();
        try (OpenRun run = openRun(List.of(first))) {
            String ours = KubernetesStage.fetchKubeconfig(run.run().engine().session(first), spec);
            done.add("wrote " + KubernetesStage.kubeconfig(spec) + " (context " + spec.name() + ")");
            if (mergeInto != null) {
                done.add(Kubeconfigs.merge(mergeInto, ours) + " context " + spec.name() + " in " + mergeInto);
            }
        }
        return done;
    }

    /** The apps of birdbath.yaml's apps section (`birdbath apps ...`). */
    public birdbath.stage.apps.Apps apps() {
        return new birdbath.stage.apps.Apps(spec);
    }

    /** `apps deploy`: applies the apps' objects through .birdbath/kubeconfig; unchanged ones are left alone. */
    public List<birdbath.stage.apps.ClusterApply.Applied> deployApps() {
        return withApps("there is nothing to deploy the apps to; `birdbath apps render` prints them",
                birdbath.stage.apps.Apps::deploy);
    }

    /** Refuses, saying {@code so}, where the kubernetes stage does not apply (the local provider). */
    private void requireKubernetes(String so) {
        Pipeline.named("kubernetes").skip(spec).ifPresent(why -> {
            throw new BirdbathException("the " + spec.provider().label() + " provider runs no Kubernetes, so " + so);
        });
    }

    /** Runs {@code fn} with the apps and a client from .birdbath/kubeconfig; refused without Kubernetes. */
    private <T> T withApps(String localRefusal, java.util.function.BiFunction<birdbath.stage.apps.Apps,
            io.fabric8.kubernetes.client.KubernetesClient, T> fn) {
        requireKubernetes(localRefusal);
        birdbath.stage.apps.Apps apps = apps();
        try (var client = KubernetesStage.client(KubernetesStage.kubeconfig(spec))) {
            return fn.apply(apps, client);
        }
    }

    /**
     * `image load TAR [--nodes]`: imports an image tarball into containerd on the named nodes (all when empty),
     * in parallel, skipping those that have it. Returns per node "imported" or "already there".
     */
    public Map<String, String> loadImage(Path tarball, List<String> nodeNames) {
        birdbath.stage.apps.ImageTarball image = birdbath.stage.apps.ImageTarball.read(tarball);
        List<Node> all = nodes();
        List<Node> chosen = all;
        if (!nodeNames.isEmpty()) {
            for (String n : nodeNames) {
                if (all.stream().noneMatch(x -> x.name().equals(n))) {
                    throw new BirdbathException("no node " + n + " (nodes: " + String.join(", ",
                            all.stream().map(Node::name).toList()) + ")");
                }
            }
            chosen = all.stream().filter(x -> nodeNames.contains(x.name())).toList();
        }
        try (OpenRun run = openRun(chosen)) {
            Map<String, String> done = run.run().engine().onEach("image load", chosen,
                    ssh -> birdbath.stage.apps.ImageLoad.load(ssh, image));
            return new java.util.TreeMap<>(done);
        }
    }

    /** `apps status`: each app workload's readiness and the apps' URLs. */
    public List<String> appsStatus() {
        return withApps("no app runs there", birdbath.stage.apps.Apps::status);
    }

    /** The cluster's certificate store (`birdbath pki ...`). */
    public Pki pki() {
        return new Pki(spec);
    }

    /** Writes a commented example config; refuses to overwrite an existing file unless {@code force}. */
    public static void init(Path file, ProviderKind provider, boolean force) {
        if (Files.exists(file) && !force) {
            throw new BirdbathException(file + " already exists; pass --force to overwrite it");
        }
        String resource = "/birdbath/config/birdbath." + provider.label() + ".yaml";
        try (InputStream in = Birdbath.class.getResourceAsStream(resource)) {
            SecretFiles.write(file, in.readAllBytes());
        } catch (IOException e) {
            throw new BirdbathException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
