package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.Hashes;
import birdbath.Reporter;
import birdbath.host.Host;
import birdbath.node.BaseImage;
import birdbath.pki.KubernetesPki;
import birdbath.provider.Node;
import birdbath.remote.Engine;
import birdbath.remote.KnownHosts;
import birdbath.remote.NodeFile;
import birdbath.remote.SshConnector;
import birdbath.secrets.ClusterCredentials;
import birdbath.testing.LocalTestCluster;
import birdbath.testkit.DebianPackages;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubernetes stage's node steps that can run here (Kubernetes itself cannot), on one real local node.
 *
 * <p>The container runtime's steps with a real containerd 2: the installer, the unit and the
 * configuration as the kubernetes stage renders them, against stand-ins for the two release downloads served
 * from the host's bridge address (the nodes' gateway, in 198.18.0.0/15): a containerd tarball in the release's
 * layout (bin/containerd, bin/containerd-shim-runc-v2, bin/ctr) repacked from Debian sid's containerd 2.1.9
 * package, and the node image's own runc as runc.amd64. Only the URLs and digests differ from the pinned ones.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KubernetesNodeStepsTest {

    private static LocalTestCluster cluster;
    private static Node node;

    @BeforeAll
    static void node() throws Exception {
        cluster = new LocalTestCluster("k", "");
        Files.writeString(cluster.config, Files.readString(cluster.config).replace("nodes: 3", "nodes: 1"));
        cluster.birdbath().up(List.of("provision", "machine-id", "baseline"), null, false);
        node = cluster.birdbath().nodes().get(0);
    }

    @AfterAll
    static void remove() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Engine engine() {
        var credentials = new ClusterCredentials(cluster.dir.resolve(".birdbath"));
        return new Engine(new SshConnector(credentials.privateKeyFile(), new KnownHosts(cluster.dir
                .resolve(".birdbath")), Duration.ofSeconds(30)), List.of(credentials.loginUser()),
                cluster.dir.resolve(".birdbath/logs"), Reporter.silent(), 1);
    }

    @Test
    void containerdIsInstalledOnlyWithThePinnedDigestsRunsOurConfigAndOnceOnly(@TempDir Path tmp) throws Exception {
        DebianPackages containerd = DebianPackages.of("sid", List.of("containerd"));
        String version = containerd.upstreamVersion("containerd");
        assertThat(version).as("a containerd 2, which reads config version 3").startsWith("2.");
        Path bin = Files.createDirectories(tmp.resolve("release/bin"));
        for (String b : List.of("containerd", "containerd-shim-runc-v2", "ctr")) {
            Files.copy(containerd.root().resolve("usr/bin/" + b), bin.resolve(b));
        }
        Path tarball = tmp.resolve("containerd.tar.gz");
        Host.check(Duration.ofMinutes(1), "tar", "-czf", tarball.toString(), "-C", tmp.resolve("release").toString(),
                "bin");

        String gateway = node.privateIp().substring(0, node.privateIp().lastIndexOf('.')) + ".1";
        Path rootfs = new BaseImage(BaseImage.defaultCacheDir(System.getenv())).ensure(BaseImage.hostMirror(),
                Reporter.silent());
        Map<String, byte[]> served = Map.of("/containerd.tar.gz", Files.readAllBytes(tarball), "/runc.amd64",
                Files.readAllBytes(rootfs.resolve("usr/sbin/runc")));
        Map<String, Integer> downloads = new ConcurrentHashMap<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(gateway, 0), 0);
        served.forEach((path, bytes) -> server.createContext(path, ex -> {
            downloads.merge(path, 1, Integer::sum);
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        }));
        server.start();
        String base = "http://" + gateway + ":" + server.getAddress().getPort();
        String containerdSha = Hashes.sha256Hex(served.get("/containerd.tar.gz"));
        String runcSha = Hashes.sha256Hex(served.get("/runc.amd64"));
        ContainerRuntime pinned = ContainerRuntime.PINNED;
        ContainerRuntime wrong = new ContainerRuntime(version, base + "/containerd.tar.gz", pinned.containerdSha256(),
                "1.1.5", base + "/runc.amd64", runcSha, pinned.pauseImage());
        ContainerRuntime standIn = new ContainerRuntime(version, base + "/containerd.tar.gz", containerdSha,
                "1.1.5", base + "/runc.amd64", runcSha, pinned.pauseImage());
        try (Engine engine = engine()) {
            // the real release's digest does not match what was downloaded: nothing is installed
            assertThatThrownBy(() -> engine.converge("kubernetes", List.of(node), n -> wrong.steps(files(wrong))))
                    .hasMessageContaining(base + "/containerd.tar.gz does not have the SHA-256 birdbath pins ("
                            + pinned.containerdSha256() + "); nothing installed");
            assertThat(cluster.run(cluster.node(1), "ls /usr/local/bin /usr/local/sbin")).doesNotContain(
                    "containerd", "runc");

            engine.converge("kubernetes", List.of(node), n -> standIn.steps(files(standIn)));
            String n1 = cluster.node(1);
            assertThat(cluster.run(n1, "systemctl is-active containerd")).isEqualTo("active");
            assertThat(cluster.run(n1, "readlink /proc/$(systemctl show -p MainPID --value containerd)/exe"))
                    .isEqualTo("/usr/local/bin/containerd");
            assertThat(cluster.run(n1, "ctr version")).contains("Version:  " + version);
            assertThat(cluster.run(n1, "ls /usr/local/sbin")).contains("runc");
            // our file laid over containerd's defaults, as containerd itself reads it
            String dump = cluster.run(n1, "/usr/local/bin/containerd config dump");
            assertThat(dump).containsPattern("SystemdCgroup = true")
                    .containsPattern("sandbox = ['\"]registry.k8s.io/pause:3.10.2['\"]")
                    .containsPattern("runtime_type = ['\"]io.containerd.runc.v2['\"]");
            String pid = cluster.run(n1, "systemctl show -p MainPID --value containerd");

            Map<String, Integer> fetched = Map.copyOf(downloads);
            assertThat(engine.converge("kubernetes", List.of(node), n -> standIn.steps(files(standIn))))
                    .allSatisfy(r -> assertThat(r.changed()).as("a second run").isZero());
            assertThat(downloads).as("a second run downloads nothing").isEqualTo(fetched);
            assertThat(cluster.run(n1, "systemctl show -p MainPID --value containerd")).isEqualTo(pid);
        } finally {
            server.stop(0);
        }
    }

    /**
     * The guard before the shared keys go out: a node holding a Kubernetes CA that kubeadm minted (here: a
     * certificate of another CA in its place) stops the stage with one line, and its files stay as they were; the
     * same node with birdbath's own CA goes through.
     */
    @Test
    void aNodeWithAnotherKubernetesCaIsRefusedAndLeftAlone() throws Exception {
        // the local provider makes no Kubernetes CA (it runs no Kubernetes): made here as the pki stage would
        KubernetesPki pki = new KubernetesPki(cluster.birdbath().spec());
        pki.ensure();
        List<NodeFile> shared = KubernetesStage.keyFiles(pki);
        NodeFile ours = shared.stream().filter(f -> f.path().equals("/etc/kubernetes/pki/ca.crt")).findFirst()
                .orElseThrow();
        String n1 = cluster.node(1);
        cluster.run(n1, "mkdir -p /etc/kubernetes/pki && cp /etc/ssl/certs/ca-certificates.crt"
                + " /etc/kubernetes/pki/ca.crt && sha256sum /etc/kubernetes/pki/ca.crt > /tmp/before");
        try (Engine engine = engine()) {
            assertThatThrownBy(() -> engine.converge("kubernetes", List.of(node), n -> KubernetesStage.sharedKeySteps(
                    shared))).hasMessageContaining("/etc/kubernetes/pki/ holds a Kubernetes CA or service-account key"
                    + " that birdbath did not make (kubeadm did); birdbath will not replace them");
            assertThat(cluster.run(n1, "sha256sum -c --quiet /tmp/before && ls /etc/kubernetes/pki"))
                    .isEqualTo("ca.crt");
            cluster.run(n1, "rm -rf /etc/kubernetes/pki");
            engine.converge("kubernetes", List.of(node), n -> KubernetesStage.sharedKeySteps(shared));
            assertThat(cluster.run(n1, "sha256sum < /etc/kubernetes/pki/ca.crt | cut -d' ' -f1"))
                    .isEqualTo(Hashes.sha256Hex(ours.content()));
            assertThat(engine.converge("kubernetes", List.of(node), n -> KubernetesStage.sharedKeySteps(shared)))
                    .allSatisfy(r -> assertThat(r.changed()).as("a second run, the keys ours").isZero());
        } finally {
            cluster.run(n1, "rm -rf /etc/kubernetes /tmp/before");
        }
    }

    private static List<NodeFile> files(ContainerRuntime runtime) {
        return runtime.files("v1.36");
    }
}
