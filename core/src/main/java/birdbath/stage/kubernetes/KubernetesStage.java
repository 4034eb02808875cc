package birdbath.stage.kubernetes;

import birdbath.BirdbathException;
import birdbath.Hashes;
import birdbath.config.ClusterSpec;
import birdbath.host.Host;
import birdbath.pki.KubernetesPki;
import birdbath.pki.Pki;
import birdbath.provider.Node;
import birdbath.remote.SshConnection;
import birdbath.remote.NodeFile;
import birdbath.remote.Step;
import birdbath.remote.Step.RunUnless;
import birdbath.secrets.SecretFiles;
import birdbath.stage.CheckResult;
import birdbath.stage.NodeCommands;
import birdbath.stage.NodeSteps;
import birdbath.stage.Stage;
import birdbath.stage.StageContext;
import birdbath.stage.StageRun;
import birdbath.stage.etcd.EtcdCluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kubeadm on the external etcd: every node prepared (containerd, pinned kubelet/kubeadm/kubectl, modules,
 * sysctls, swap off), `kubeadm init` once on the first control-plane node, flannel, then every other node joined
 * with a fresh token and the CA's public key hash; a higher kubernetes.version upgrades one node at a time.
 * The local provider's nodes cannot get Kubernetes packages here, so there the stage says so and does nothing.
 */
public final class KubernetesStage implements Stage {

    static final String PREPARE = "/etc/birdbath/prepare-kubernetes.sh";
    static final String UPGRADE = "/etc/birdbath/upgrade-kubernetes.sh";
    static final String VERSION_MARK = "/etc/birdbath/kubernetes-version";
    static final String INIT = "/etc/birdbath/kubeadm-init.yaml";
    static final String JOIN = "/etc/birdbath/kubeadm-join.yaml";
    static final String FLANNEL = "/etc/birdbath/flannel.yaml";
    static final String KUBELET_DEFAULT = "/etc/default/kubelet";
    static final String ADMIN = "/etc/kubernetes/admin.conf";
    static final String KUBECTL = "kubectl --kubeconfig " + ADMIN;
    static final String ETCD_CA = "/etc/kubernetes/pki/etcd/ca.crt";
    static final String ETCD_CLIENT = "apiserver-etcd-client";
    /** kubeadm refuses an external etcd older than this (its MinExternalEtcdVersion). */
    static final String MIN_ETCD = "3.5.24";
    /** What prepare-node.sh installs from the distribution before it turns to the Kubernetes repository. */
    public static final List<String> NODE_PACKAGES = List.of("apt-transport-https", "ca-certificates", "curl", "gpg");
    /** The container runtime kubelet talks to, from its release. */
    static final ContainerRuntime RUNTIME = ContainerRuntime.PINNED;

    @Override
    public String name() {
        return "kubernetes";
    }

    /** .birdbath/kubeconfig: the cluster's admin kubeconfig, named after the cluster. */
    public static Path kubeconfig(ClusterSpec spec) {
        return birdbath.state.StateDir.of(spec).kubeconfig();
    }

    @Override
    public Optional<Skip> skip(ClusterSpec spec) {
        return spec.provider().runsKubernetes() ? Optional.empty() : Optional.of(Skip.cannotRun("the "
                + spec.provider().label()
                + " provider's nodes cannot install Kubernetes packages (no package repository or image registry is"
                + " reachable from them); this stage is proven by rendered configs and against a mock API server"));
    }

    /**
     * Every node: the preparation script, the wait for the API name and the kubelet's defaults. Every control-plane
     * node: the cluster's shared keys (KubernetesPki), the encryption config and audit policy, etcd's CA and the API
     * server's etcd client certificate. The first control-plane node: kubeadm's init config and flannel. The others:
     * the join config, made at join time with a fresh token and removed after it (shown here with placeholders).
     */
    @Override
    public List<NodeFile> files(StageContext context, Node node) {
        List<NodeFile> files = new ArrayList<>(RUNTIME.files(context.spec().kubernetes().minor()));
        files.add(NodeFile.of(PREPARE, KubeadmConfigs.prepare(context.spec())).withMode("755"));
        files.add(NodeFile.of(KUBELET_DEFAULT, KubeadmConfigs.kubelet(node)));
        List<Node> cp = KubeadmConfigs.controlPlane(context.nodes());
        if (cp.contains(node)) {
            KubernetesPki pki = new KubernetesPki(context.spec());
            files.addAll(keyFiles(pki));
            files.add(NodeFile.of(KubeadmConfigs.ENCRYPTION_CONFIG, KubeadmConfigs.encryptionConfig(pki)).asSecret());
            files.add(NodeFile.of(KubeadmConfigs.AUDIT_POLICY, KubeadmConfigs.auditPolicy()));
            // the API server's way to etcd: the etcd CA and its client certificate from the cluster CA
            Pki clusterPki = new Pki(context.spec());
            files.add(NodeFile.of(ETCD_CA, clusterPki.etcdServerTrustPem()));
            for (String ext : List.of("crt", "key")) {
                Path source = clusterPki.dir().resolve("clients/" + ETCD_CLIENT + "." + ext);
                try {
                    NodeFile f = NodeFile.of("/etc/kubernetes/pki/" + ETCD_CLIENT + "." + ext, Files.readAllBytes(source));
                    files.add(ext.equals("key") ? f.asSecret() : f);
                } catch (IOException e) {
                    throw new BirdbathException("cannot read " + source + ": " + e.getMessage()
                            + "; run `birdbath pki issue`");
                }
            }
        }
        if (node.equals(cp.get(0))) {
            files.add(NodeFile.of(INIT, KubeadmConfigs.init(context.spec(), context.nodes())));
            files.add(NodeFile.of(FLANNEL, KubeadmConfigs.flannel(context.spec())));
        } else {
            files.add(NodeFile.of(JOIN, KubeadmConfigs.join(context.spec(), node, "<token: made at join time>",
                    "<sha256 of the cluster CA's public key>", cp.contains(node)))
                    .withMode("600").removedAfterUse());
        }
        return files;
    }

    @Override
    public void converge(StageRun run) {
        EtcdCluster etcd = new EtcdCluster(run);
        requireRecentEtcd(run, etcd);
        List<Node> nodes = run.nodes();
        List<Node> cp = KubeadmConfigs.controlPlane(nodes);
        Node first = cp.get(0);
        // each node's files, declared once for the three converges below
        Map<Node, List<NodeFile>> declared = new HashMap<>();
        nodes.forEach(n -> declared.put(n, files(run.context(), n)));
        run.engine().converge(name(), nodes, node -> {
            List<Step> steps = new ArrayList<>(RUNTIME.steps(declared.get(node)));
            steps.addAll(prepareSteps(run, declared.get(node)));
            return steps;
        });
        // the cluster's CA, front-proxy CA and service-account key, birdbath's, before kubeadm could mint its own
        run.engine().converge(name(), cp, node -> sharedKeySteps(declared.get(node)));
        Map<String, String> state = run.engine().onEach("kubernetes state", nodes, s -> s.exec("test -f " + ADMIN
                + " && echo admin; test -f /etc/kubernetes/kubelet.conf && echo joined; true").out());
        List<Node> live = cp.stream().filter(n -> state.getOrDefault(n.name(), "").contains("admin")).toList();
        boolean holdsCluster = etcd.client().count(etcd.endpoint(etcd.answering()), ControlPlaneStart.REGISTRY) > 0;
        ControlPlaneStart start = ControlPlaneStart.decide(holdsCluster, live, cp);
        if (start.init()) {
            run.engine().converge(name(), List.of(first), node -> initSteps(declared.get(node), true));
        }
        Node source = start.source();
        fetchKubeconfig(run.engine().session(source), run.spec());
        for (Node n : nodes) {
            if (!n.equals(source) && !state.getOrDefault(n.name(), "").contains("joined")) {
                join(run, source, n);
            }
        }
        if (!start.init()) {
            // the first node's files as declared; kubeadm init is no step here (the cluster runs)
            run.engine().converge(name(), List.of(first), node -> initSteps(declared.get(node), false));
        }
        upgrade(run, source);
    }

    private void requireRecentEtcd(StageRun run, EtcdCluster etcd) {
        String version = etcd.client().status(etcd.endpoint(etcd.answering())).version();
        if (compare(version, MIN_ETCD) < 0) {
            throw new BirdbathException("kubernetes: kubeadm needs etcd " + MIN_ETCD + " or newer; the cluster runs "
                    + version + ". Set etcd.version (and etcd.sha256, from the release's SHA256SUMS) in "
                    + run.spec().configFile() + " and run `birdbath up --only etcd` first");
        }
    }

    /** Compares dotted versions numerically ("3.4.23" < "3.5.24"). */
    static int compare(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int d = Integer.compare(Integer.parseInt(x[i].replaceAll("\\D", "0")),
                    Integer.parseInt(y[i].replaceAll("\\D", "0")));
            if (d != 0) {
                return d;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static final List<String> PREPARED = List.of(PREPARE, KUBELET_DEFAULT);

    private static List<Step> prepareSteps(StageRun run, List<NodeFile> files) {
        return new NodeSteps(files.stream().filter(f -> PREPARED.contains(f.path())).toList())
                .put(PREPARE)
                .add(new RunUnless("kubelet, kubeadm, kubectl " + run.spec().kubernetes().version(),
                        PREPARE, "test -f " + VERSION_MARK))
                .put(KUBELET_DEFAULT)
                .build();
    }

    /**
     * What every control-plane node holds before kubeadm runs: the shared keys, etcd's CA and client certificate, the
     * API server's own files. kubeadm then needs no upload of keys to join a control-plane node.
     */
    private static boolean sharedKey(NodeFile f) {
        return f.path().startsWith(KubeadmConfigs.CONFIG_DIR + "/") || f.path().startsWith(KubernetesPki.NODE_DIR);
    }

    static List<Step> sharedKeySteps(List<NodeFile> files) {
        List<NodeFile> shared = files.stream().filter(KubernetesStage::sharedKey).toList();
        String etcdClient = "/etc/kubernetes/pki/" + ETCD_CLIENT + ".crt";
        NodeSteps steps = new NodeSteps(shared).add(foreignKeysGuard(shared)).putRest();
        if (steps.declares(etcdClient)) {
            // kube-apiserver reads its etcd client certificate when it starts: a new one (from etcd's client-side
            // CA, a renewal) needs a new container, which kubelet starts at once
            steps.add(new RunUnless("kube-apiserver onto its new etcd client certificate", "ids=$(crictl ps -q --name"
                    + " kube-apiserver 2>/dev/null || true); [ -z \"$ids\" ] || crictl stop $ids", null,
                    List.of(etcdClient)));
        }
        return steps.build();
    }

    /** The cluster's CA, front-proxy CA and service-account keys, as kubeadm looks for them (keys secret). */
    static List<NodeFile> keyFiles(KubernetesPki pki) {
        List<NodeFile> files = new ArrayList<>();
        pki.nodeFiles().forEach((name, content) -> {
            NodeFile f = NodeFile.of(KubernetesPki.NODE_DIR + name, content);
            files.add(KubernetesPki.KEYS.contains(name) ? f.asSecret() : f);
        });
        return files;
    }

    /** The public halves of the shared keys: what a cluster's other nodes and kubeconfigs already trust. */
    private static final List<String> TRUSTED = List.of("ca.crt", "front-proxy-ca.crt", "sa.pub");

    /**
     * Refuses a node whose shared keys are not birdbath's (a cluster whose keys kubeadm minted, from before birdbath
     * kept its own): putting birdbath's in their place would break every node, kubeconfig and service-account
     * token of that cluster. Compared by the public halves' SHA-256.
     */
    static Step foreignKeysGuard(List<NodeFile> shared) {
        List<String> tests = new ArrayList<>();
        for (NodeFile f : shared) {
            String name = f.path().substring(KubernetesPki.NODE_DIR.length());
            if (TRUSTED.contains(name)) {
                tests.add("{ test ! -e " + f.path() + " || [ \"$(sha256sum < " + f.path() + " | cut -d' ' -f1)\" = "
                        + Hashes.sha256Hex(f.content()) + " ]; }");
            }
        }
        return new RunUnless("the Kubernetes CA and keys here are birdbath's", "echo '" + KubernetesPki.NODE_DIR
                + " holds a Kubernetes CA or service-account key that birdbath did not make (kubeadm did); birdbath"
                + " will not replace them, which would break every node, kubeconfig and token of this cluster. Copy "
                + String.join(", ", KubernetesPki.FILES) + " from there into .birdbath/pki/kubernetes/ to let"
                + " birdbath keep them, or rebuild the cluster' >&2; exit 1", String.join(" && ", tests));
    }

    /** The first control-plane node's files; with {@code init}, `kubeadm init` once they are in place. */
    private static List<Step> initSteps(List<NodeFile> files, boolean init) {
        NodeSteps steps = new NodeSteps(files.stream()
                .filter(f -> !PREPARED.contains(f.path()) && !sharedKey(f)).toList())
                .put(INIT);
        if (init) {
            steps.add(new RunUnless("kubeadm init", "kubeadm init --config " + INIT, "test -f " + ADMIN));
        }
        return steps
                .put(FLANNEL)
                .add(new RunUnless("apply flannel " + KubeadmConfigs.FLANNEL_VERSION, KUBECTL + " apply -f " + FLANNEL,
                        null, List.of(FLANNEL)))
                .build();
    }

    /**
     * One node at a time: a fresh 15-minute token and the CA hash. A control-plane node joins with the keys it already
     * holds (placed before kubeadm runs), so no key is uploaded into the cluster for it.
     */
    private void join(StageRun run, Node source, Node node) {
        SshConnection cp = run.engine().session(source);
        String token = must(cp, "kubeadm token create --ttl 15m").strip();
        // the CA birdbath placed on every control-plane node
        String hash = caHash(new String(new KubernetesPki(run.spec()).nodeFiles().get("ca.crt"),
                StandardCharsets.US_ASCII));
        boolean controlPlane = KubeadmConfigs.controlPlane(run.nodes()).contains(node);
        String config = KubeadmConfigs.join(run.spec(), node, token, hash, controlPlane);
        SshConnection c = run.engine().session(node);
        Host.Result r = c.exec("umask 077 && cat > " + JOIN + " && kubeadm join --config " + JOIN + "; rc=$?; rm -f "
                + JOIN + "; exit $rc", config.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(10));
        if (!r.ok()) {
            throw new BirdbathException(node.name() + ": kubernetes: kubeadm join failed (exit " + r.exit() + "): "
                    + Host.tail(r.err().isBlank() ? r.out() : r.err()).replace(token, "<token>"));
        }
        report(run, node.name(), "joined" + (controlPlane ? " as a control-plane node" : ""));
    }

    /** "sha256:HEX" of the certificate's SubjectPublicKeyInfo, as kubeadm's --discovery-token-ca-cert-hash. */
    static String caHash(String pem) {
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return "sha256:" + Hashes.sha256Hex(cert.getPublicKey().getEncoded());
        } catch (java.security.cert.CertificateException e) {
            throw new BirdbathException("the cluster's Kubernetes CA certificate cannot be read: " + e.getMessage());
        }
    }

    /**
     * Nodes whose installed release differs from kubernetes.version, one at a time ({@link UpgradeRoll}): the
     * control-plane node that answers first (`kubeadm upgrade apply`), then the others (`kubeadm upgrade node`),
     * then the workers, each drained through the API before and uncordoned after.
     */
    private void upgrade(StageRun run, Node first) {
        String want = run.spec().kubernetes().version();
        Map<String, String> have = run.engine().onEach("kubernetes versions", run.nodes(),
                s -> s.exec("cat " + VERSION_MARK).out().strip());
        if (have.values().stream().allMatch(want::equals)) {
            return;
        }
        List<Node> cp = new ArrayList<>(KubeadmConfigs.controlPlane(run.nodes()));
        cp.remove(first);
        cp.add(0, first);
        try (KubernetesClient client = client(kubeconfig(run.spec()))) {
            new UpgradeRoll(client, Duration.ofMinutes(10), Duration.ofSeconds(2), run.out()).run(cp, run.nodes(),
                    have, want, (n, apply) -> must(run.engine().session(n), "cat > " + UPGRADE + " && chmod 755 "
                            + UPGRADE + " && " + UPGRADE, KubeadmConfigs.upgrade(run.spec(), apply)));
        }
    }

    private static String must(SshConnection c, String command) {
        return must(c, command, null);
    }

    private static String must(SshConnection c, String command, String stdin) {
        return NodeCommands.must(c, "kubernetes", command, stdin == null ? null
                : stdin.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(15));
    }

    private static void report(StageRun run, String node, String what) {
        NodeCommands.report(run.out(), node, "kubernetes", what);
    }

    /**
     * The admin kubeconfig of the node behind {@code c} into .birdbath/kubeconfig (0600), its cluster, user and
     * context named after the cluster; returns what was written.
     */
    public static String fetchKubeconfig(SshConnection c, ClusterSpec spec) {
        Host.Result r = c.exec("cat " + ADMIN);
        if (!r.ok()) {
            throw new BirdbathException(c.node() + " has no " + ADMIN + ": kubeadm init has not run there (the"
                    + " kubernetes stage of `birdbath up` runs it)");
        }
        String ours = Kubeconfigs.renamed(r.out(), spec.name());
        SecretFiles.writeSecret(kubeconfig(spec), ours.getBytes(StandardCharsets.UTF_8));
        return ours;
    }

    /** Through fabric8 with .birdbath/kubeconfig; nothing to check on the local provider (nothing was set up). */
    @Override
    public List<CheckResult> check(StageRun run) {
        Path file = kubeconfig(run.spec());
        if (!Files.exists(file)) {
            return run.nodes().stream().map(n -> CheckResult.failed(name(), n.name(), "Ready", "no " + file
                    + " yet: `birdbath up` has not set up Kubernetes")).toList();
        }
        try (KubernetesClient client = client(file)) {
            return KubernetesCheck.check(client, run.nodes());
        }
    }

    public static KubernetesClient client(Path kubeconfig) {
        try {
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
            config.setRequestTimeout(10_000);
            config.setConnectionTimeout(10_000);
            // a check answers now: one retry, not fabric8's default backoff of several seconds
            config.setRequestRetryBackoffLimit(1);
            config.setRequestRetryBackoffInterval(200);
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + kubeconfig + ": " + e.getMessage());
        }
    }
}
