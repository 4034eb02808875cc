package birdbath.stage.etcd;

import birdbath.BirdbathException;
import birdbath.config.ClusterSpec.EtcdSpec;
import birdbath.pki.Pki;
import birdbath.pki.TlsContexts;
import birdbath.provider.Node;
import birdbath.remote.NodeFile;
import birdbath.remote.Step;
import birdbath.remote.Step.EnsurePackages;
import birdbath.remote.Step.RunUnless;
import birdbath.stage.CheckResult;
import birdbath.stage.NodeSteps;
import birdbath.stage.Stage;
import birdbath.stage.StageContext;
import birdbath.stage.StageRun;
import birdbath.stage.Template;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A dedicated etcd on the first {@code etcd.members} nodes: https only, on the private address and localhost,
 * client and peer certificates from the cluster CA required. Files go out first on every member; then
 * {@link EtcdMembership} starts, joins, replaces or restarts members one at a time, so that the cluster keeps
 * its quorum. A second run with nothing changed restarts nothing.
 */
public final class EtcdStage implements Stage {

    static final String ENV = EtcdCluster.PKI_DIR + "/etcd.env";
    static final String INITIAL_ENV = EtcdCluster.PKI_DIR + "/initial.env";
    static final String UNIT_FILE = "/etc/systemd/system/" + EtcdCluster.UNIT;
    static final String INSTALLER = "/etc/birdbath/install-etcd.sh";
    static final String INSTALLED_MARKER = "/usr/local/lib/birdbath/etcd-installed";
    /** Set when a member's config changed; the membership step restarts it and clears the mark. */
    static final String RESTART_MARK = "/run/birdbath-etcd.restart";
    /** The distribution's etcd (etcd.version: distro). */
    public static final List<String> DISTRO_PACKAGES = List.of("etcd-server", "etcd-client");

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public List<NodeFile> files(StageContext context, Node node) {
        if (!EtcdCluster.members(context.nodes()).contains(node)) {
            return List.of();
        }
        EtcdSpec etcd = context.spec().etcd();
        List<NodeFile> files = new ArrayList<>();
        if (etcd.version() != null) {
            files.add(NodeFile.of(INSTALLER, Template.render("etcd/install-etcd.sh", Map.of("version", etcd.version(),
                    "sha256", etcd.sha256(), "url", etcd.downloadUrl().replace("{VERSION}", etcd.version()))))
                    .withMode("755"));
        }
        new Pki(context.spec()).nodeFiles(node).forEach((name, content) -> {
            NodeFile f = NodeFile.of(EtcdCluster.PKI_DIR + "/" + name, content);
            files.add((name.endsWith(".key") ? f.asSecret() : f).ownedBy("etcd:etcd").restartsUnit(EtcdCluster.UNIT));
        });
        files.add(NodeFile.of(ENV, Template.render("etcd/etcd.env", Map.of("name", node.name(), "ip", node.privateIp(),
                "data_dir", EtcdCluster.DATA_DIR, "pki", EtcdCluster.PKI_DIR, "clients_ca", Pki.ETCD_CLIENTS_CA_FILE,
                "heartbeat", String.valueOf(etcd.heartbeatIntervalMs()),
                "election", String.valueOf(etcd.electionTimeoutMs())))).restartsUnit(EtcdCluster.UNIT));
        files.add(NodeFile.of(UNIT_FILE, Template.render("etcd/" + EtcdCluster.UNIT, Map.of()))
                .restartsUnit(EtcdCluster.UNIT));
        return files;
    }

    private List<Step> steps(StageRun run, Node node) {
        EtcdSpec etcd = run.spec().etcd();
        List<NodeFile> files = files(run.context(), node);
        NodeSteps steps = new NodeSteps(files);
        // the package's own unit would start etcd on localhost:2379 with its defaults: never let it run
        steps.add(new RunUnless("mask the packaged etcd.service", "systemctl mask --now etcd.service",
                "[ \"$(systemctl is-enabled etcd.service 2>/dev/null)\" = masked ]"));
        if (etcd.version() == null) {
            steps.add(new EnsurePackages(DISTRO_PACKAGES));
        } else {
            steps.put(INSTALLER);
            // done when this installer ran to its end for this version and tarball (its marker says so); a
            // running member keeps the old binary until the membership step restarts it, one member at a time
            steps.add(new RunUnless("etcd " + etcd.version() + " or newer", INSTALLER + " && touch " + RESTART_MARK,
                    "grep -qx '" + etcd.version() + " \\(package\\|" + etcd.sha256() + "\\)' " + INSTALLED_MARKER,
                    List.of()));
        }
        // a changed file only marks its member: the membership step restarts members one at a time
        return steps.add(new RunUnless("data dir " + EtcdCluster.DATA_DIR + " 0700",
                        "install -d -m 700 -o etcd -g etcd /var/lib/etcd " + EtcdCluster.DATA_DIR,
                        "[ \"$(stat -c %a:%U /var/lib/etcd/ " + EtcdCluster.DATA_DIR
                                + " 2>/dev/null | tr '\\n' ' ')\" = '700:etcd 700:etcd ' ]"))
                .putRest()
                .add(new RunUnless("mark etcd for a restart", "touch " + RESTART_MARK, null,
                        NodeFile.restarting(files, EtcdCluster.UNIT)))
                .add(new RunUnless("enable " + EtcdCluster.UNIT, "systemctl enable --quiet " + EtcdCluster.UNIT,
                        "systemctl is-enabled --quiet " + EtcdCluster.UNIT))
                .build();
    }

    @Override
    public void converge(StageRun run) {
        EtcdCluster cluster = new EtcdCluster(run);
        if (cluster.members().isEmpty()) {
            return;
        }
        run.engine().converge(name(), cluster.members(), node -> steps(run, node));
        new EtcdMembership(cluster).reconcile();
        Pki pki = new Pki(run.spec());
        if (pki.hasLegacyClients()) {
            // every member now runs its files as declared, so trusts the clients' CA alone: the old identity is
            // of no use to anyone any more (kube-apiserver gets its new one in the kubernetes stage)
            pki.dropLegacyClients();
            run.out().info("  etcd: clients now only from the etcd clients' CA; legacy client certificates removed");
        }
    }

    /**
     * Per member: healthy, listed under its name and peer URL, following the one leader, data dir 0700, and
     * refusing a client without a certificate. On the first member also: exactly the expected members.
     */
    @Override
    public List<CheckResult> check(StageRun run) {
        EtcdCluster cluster = new EtcdCluster(run);
        List<CheckResult> results = new ArrayList<>();
        if (cluster.members().isEmpty()) {
            return results;
        }
        EtcdClient client = cluster.client();
        List<EtcdClient.Member> listed;
        try {
            listed = cluster.list();
        } catch (BirdbathException e) {
            listed = null;
        }
        EtcdClient noCertificate = new EtcdClient(TlsContexts.of(new Pki(run.spec()).etcdServerTrust(), null, null),
                EtcdCluster.REQUEST_TIMEOUT);
        Map<String, String> dataDirs = run.engine().onEach("check etcd", cluster.members(),
                c -> c.exec("stat -c %a:%U " + EtcdCluster.DATA_DIR).out().strip());
        Map<String, String> leaders = new LinkedHashMap<>();
        for (Node node : cluster.members()) {
            String n = node.name();
            boolean healthy = client.healthy(cluster.endpoint(node));
            results.add(CheckResult.of(name(), n, "healthy", healthy,
                    "the member does not answer /health with true over"
                    + " mutual TLS (journalctl -u " + EtcdCluster.UNIT + " on the node says why)"));
            if (listed != null) {
                boolean member = listed.stream().anyMatch(m -> m.name().equals(n)
                        && m.peerUrls().equals(List.of(EtcdCluster.peerUrl(node))));
                results.add(CheckResult.of(name(), n, "member", member, "not in the member list as " + n + " at "
                        + EtcdCluster.peerUrl(node) + "; `birdbath up --only etcd` replaces it"));
            }
            try {
                leaders.put(n, client.status(cluster.endpoint(node)).leader());
            } catch (BirdbathException e) {
                leaders.put(n, "");
            }
            String dir = dataDirs.getOrDefault(n, "");
            results.add(CheckResult.of(name(), n, "data dir 0700", dir.equals("700:etcd"),
                    EtcdCluster.DATA_DIR + " is " + dir));
            String refuses = "client cert required";
            if (!healthy) {
                results.add(CheckResult.failed(name(), n, refuses, "cannot tell: the member is not healthy"));
            } else if (noCertificate.healthy(cluster.endpoint(node))) {
                results.add(CheckResult.failed(name(), n, refuses, "answered a client that presented no certificate"));
            } else {
                results.add(CheckResult.ok(name(), n, refuses));
            }
        }
        Set<String> leaderIds = leaders.values().stream().filter(l -> !l.isEmpty() && !l.equals("0"))
                .collect(Collectors.toSet());
        for (Node node : cluster.members()) {
            String l = leaders.get(node.name());
            boolean followsTheOne = leaderIds.size() == 1 && leaderIds.contains(l);
            results.add(CheckResult.of(name(), node.name(), "one leader", followsTheOne,
                    "members follow " + leaderIds.size()
                    + " different leaders" + (l.isEmpty() ? "; this one gives no status" : "")));
        }
        String first = cluster.members().get(0).name();
        if (listed == null) {
            results.add(CheckResult.failed(name(), first, "expected members", "no member lists the cluster"));
        } else {
            List<String> want = cluster.members().stream().map(Node::name).sorted().toList();
            List<String> have = listed.stream().map(m -> m.name().isEmpty() ? "(unstarted " + m.id() + ")" : m.name())
                    .sorted().toList();
            results.add(CheckResult.of(name(), first, "expected members", want.equals(have),
                    "expected " + want + ", the cluster lists "
                    + have));
        }
        return results;
    }
}
