package birdbath.stage;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.host.Host;
import birdbath.pki.Pki;
import birdbath.provider.Node;
import birdbath.remote.NodeFile;
import birdbath.secrets.ClusterCredentials;
import birdbath.testkit.TestHost;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every stage declares for a fixed 3-node Linode cluster (fixed config, fixed node list, a fixed SSH key),
 * without root and without nodes, compared with src/test/resources/golden/render/STAGE.txt. Certificates are
 * shown by subject, issuer and SANs (their keys and serials are new on every run), secrets not at all.
 *
 * How the golden files were checked: written once with -Dbirdbath.golden.update=true on 2026-11-30, then read
 * line by line by a person against the templates and the stages' Javadoc: every node's /etc/hosts lists all three
 * private addresses; sshd refuses root and passwords; swanctl on demo-1 traps towards demo-2/3 and demo-3 traps
 * nobody (kernel mode); etcd listens on the private address and 127.0.0.1 with client-cert auth; only demo-1
 * has kubeadm's init config and the etcd client key, the others a join config with placeholders; every node
 * mounts the volume from demo-1 with demo-2 and demo-3 as backups. ipsec-userspace.txt (2 local nodes, read the
 * same way): tunnel mode with /32 selectors, no trap on either end (the keeper initiates, duo-1 first), libipsec
 * loaded with IKE kept out of the tunnel by fwmark, the guard accepting what arrives on libipsec's ipsec0. A
 * change to a template changes a golden file: review that diff the same way before committing it. Later the same
 * day these sections were written into the golden files by hand, before the code produced them, then compared:
 * storage's kubelet drop-in (RequiresMountsFor=/mnt/birdbath on every node); on demo-1 the Kubernetes CA,
 * front-proxy CA and service-account keys (keys secret, 0600), the encryption config (secret) and audit policy,
 * the API server's extraArgs and extraVolumes; prepare-node.sh's apt-get update; flannel's Backend.MTU 1420. Then,
 * the same way: every node's /etc/hosts giving demo-api.example.com demo-1's private address (the only control
 * plane), and the kubernetes stage without its wait for the public record (await-api-name.sh removed). Then, for
 * containerd from its release and Kubernetes 1.36.4: each node's install-containerd.sh (the pinned URLs and
 * digests, checked against docs/upstream/containerd-and-kubernetes-pins.md), containerd.service and config.toml
 * (SystemdCgroup, pause 3.10.2), all three restarting containerd; prepare-node.sh without Debian's containerd and
 * reading the package version from the repository. The first comparison showed only that the three files'
 * headers lacked "restarts containerd.service", which the code rightly adds; that was corrected by hand. Then,
 * by hand before the code: etcd trusting only the etcd clients' own CA for clients (etcd-clients-ca.crt, a
 * self-signed root, on every member, ETCD_TRUSTED_CA_FILE naming it, peers still the cluster CA), and
 * kube-apiserver's etcd client certificate issued by that CA; then each member's client-port certificate
 * (server.crt/key, from that CA: etcd's JSON gateway presents it to its own gRPC server as a client) in
 * ETCD_CERT_FILE/KEY_FILE, and kube-apiserver's etcd CA file holding that CA and the cluster CA. On 2026-12-01,
 * backups.txt was written by hand from the three templates before the code rendered it (the config's
 * schedule "03:15" as the calendar event "*-*-* 03:15:00 UTC", keep 5, each member's own name in its script,
 * the script 755 and the timer restarting itself), then compared.
 */
class StageRenderTest {

    static final String SSH_KEY = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGolden"
            + "birdbath";
    static final String USER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGoldenUserKey user@example";

    @TempDir
    Path dir;

    private StageContext context;

    @BeforeEach
    void cluster() throws Exception {
        context = linodeCluster(dir);
    }

    /** The fixed 3-node Linode cluster these golden files show (other render tests use it too). */
    static StageContext linodeCluster(Path dir) throws Exception {
        ClusterSpec spec = load(dir.resolve("birdbath.yaml"), "provider: linode\ncluster:\n  name: demo\n  nodes: 3\n"
                + "  domain: example.com\nlinode:\n  ssh_keys:\n    - " + USER_KEY + "\nnetworking:\n"
                + "  vpc_subnet: 198.18.5.0/24\nbackups:\n  schedule: \"03:15\"\n  keep: 5\n");
        List<Node> nodes = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            nodes.add(new Node(spec.nodeLabel(n), n, spec.roles(n), "203.0.113." + (10 + n), "198.18.5." + (10 + n),
                    spec.fqdn(n), "/dev/disk/by-id/scsi-0Linode_Volume_" + spec.nodeLabel(n),
                    new Node.Ssh("203.0.113." + (10 + n), 22, "birdbath"), String.valueOf(1000 + n)));
        }
        return context(spec, nodes);
    }

    /** A fixed 2-node local cluster (libipsec's data plane). */
    static StageContext localDuo(Path dir) throws Exception {
        ClusterSpec spec = load(dir.resolve("local/birdbath.yaml"),
                "provider: local\ncluster:\n  name: duo\n  nodes: 2\n");
        List<Node> nodes = new ArrayList<>();
        for (int n = 1; n <= 2; n++) {
            String ip = "198.18.7." + (10 + n);
            nodes.add(new Node(spec.nodeLabel(n), n, spec.roles(n), ip, ip, spec.fqdn(n), null, new Node.Ssh(ip, 22),
                    "local"));
        }
        return context(spec, nodes);
    }

    private static ClusterSpec load(Path file, String yaml) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return new ConfigLoader(Map.of()).load(file, w -> { });
    }

    /** birdbath's fixed SSH key and a fresh CA with a certificate for every node. */
    private static StageContext context(ClusterSpec spec, List<Node> nodes) throws Exception {
        Files.createDirectories(spec.stateDir().resolve("ssh"));
        Files.writeString(spec.stateDir().resolve("ssh/id_ecdsa"), "(not read by render)\n");
        Files.writeString(spec.stateDir().resolve("ssh/id_ecdsa.pub"), SSH_KEY + "\n");
        Pki pki = new Pki(spec);
        pki.init();
        pki.issue(nodes, false); // on Linode, also the Kubernetes CA, front-proxy CA and keys
        return new StageContext(spec, nodes, new ClusterCredentials(spec.stateDir()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"baseline", "pki", "ipsec", "etcd", "kubernetes", "storage", "backups"})
    void filesAsDeclaredMatchTheReviewedGoldenFile(String name) throws Exception {
        String rendered = render(Pipeline.named(name));
        Path golden = Path.of("src/test/resources/golden/render/" + name + ".txt");
        if (Boolean.getBoolean("birdbath.golden.update")) {
            Files.writeString(golden, rendered);
        }
        assertThat(rendered).as("golden file " + golden).isEqualTo(Files.readString(golden));
    }

    /** The other IPsec data plane: libipsec tunnels on a 2-node local cluster (the local provider's default). */
    @Test
    void userspaceIpsecMatchesItsReviewedGoldenFile() throws Exception {
        context = localDuo(dir);
        String rendered = render(Pipeline.named("ipsec"));
        Path golden = Path.of("src/test/resources/golden/render/ipsec-userspace.txt");
        if (Boolean.getBoolean("birdbath.golden.update")) {
            Files.writeString(golden, rendered);
        }
        assertThat(rendered).as("golden file " + golden).isEqualTo(Files.readString(golden));
    }

    @Test
    void stagesWithoutFilesDeclareNone() {
        for (String name : List.of("provision", "machine-id", "apps")) {
            for (Node node : context.nodes()) {
                assertThat(Pipeline.named(name).files(context, node)).as(name + " on " + node.name()).isEmpty();
            }
        }
    }

    @Test
    void everyRenderedShellScriptPassesShellcheck() throws Exception {
        TestHost.requireProgram("shellcheck");
        List<NodeFile> scripts = new ArrayList<>();
        for (Stage stage : Pipeline.STAGES) {
            for (Node node : context.nodes()) {
                stage.files(context, node).stream().filter(f -> f.text().startsWith("#!")).forEach(scripts::add);
            }
        }
        assertThat(scripts).extracting(NodeFile::path).contains("/etc/birdbath/ipsec-keeper.sh",
                "/etc/birdbath/install-etcd.sh", "/etc/birdbath/prepare-kubernetes.sh",
                "/etc/birdbath/prepare-brick.sh");
        Path f = dir.resolve("script");
        for (NodeFile script : scripts) {
            Files.writeString(f, script.text());
            Host.Result r = Host.run(Duration.ofSeconds(60), "shellcheck", f.toString());
            assertThat(r.exit()).as(script.path() + ":\n" + r.out()).isZero();
        }
    }

    /** Every node's files under the same headings as `birdbath render`. */
    private String render(Stage stage) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Node node : context.nodes()) {
            for (NodeFile f : stage.files(context, node)) {
                sb.append("# ").append(node.name()).append(':').append(f.heading()).append('\n');
                sb.append(f.secret() ? f.shown().replaceAll("\\d+ bytes", "N bytes") : readable(f.text()));
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** PEM certificates by subject, issuer and SANs, public keys by their algorithm; everything else as it is. */
    private static String readable(String text) throws Exception {
        if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
            byte[] der = java.util.Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
            return "(public key: " + java.security.KeyFactory.getInstance("EC").generatePublic(
                    new java.security.spec.X509EncodedKeySpec(der)).getAlgorithm() + ")\n";
        }
        if (!text.startsWith("-----BEGIN CERTIFICATE-----")) {
            return text;
        }
        StringBuilder sb = new StringBuilder();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))) {
            X509Certificate x = (X509Certificate) c;
            sb.append("(certificate: subject ").append(x.getSubjectX500Principal()).append("; issuer ")
                    .append(x.getIssuerX500Principal()).append("; SANs ")
                    .append(x.getSubjectAlternativeNames() == null ? "none"
                            : x.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList())
                    .append(")\n");
        }
        return sb.toString();
    }
}
