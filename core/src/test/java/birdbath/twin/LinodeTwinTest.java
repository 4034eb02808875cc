package birdbath.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import birdbath.Birdbath;
import birdbath.Hashes;
import birdbath.Poll;
import birdbath.Reporter;
import birdbath.host.Host;
import birdbath.linode.ApiSettings;
import birdbath.node.BaseImage;
import birdbath.node.NodeNetwork;
import birdbath.provider.Node;
import birdbath.sim.LinodeSim;
import birdbath.sim.SimOptions;
import birdbath.stage.CheckResult;
import birdbath.testing.DebianEtcdRelease;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The Linode path on real machines: `provider: linode` against linode-sim with real nodes behind it (fresh Debian
 * 12 containers that install every package from the twin's mirror, volumes under Linode's device names, the etcd
 * release tarball downloaded and checked), 3 nodes through every stage up to storage, with the IPsec data plane
 * in userspace (this kernel has no ESP).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class LinodeTwinTest {

    static final List<String> STAGES = List.of("provision", "machine-id", "baseline", "pki", "ipsec", "etcd",
            "storage");

    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private RealNodes twin;
    private LinodeSim sim;
    private Path dir;
    private Path config;
    private String name;

    @BeforeAll
    void twin() throws Exception {
        assumeTrue("0".equals(Host.run(Duration.ofSeconds(5), "id", "-u").out().strip()), "needs root");
        twin = new RealNodes(BaseImage.defaultCacheDir(System.getenv()).getParent(), Reporter.into(output::add));
        sim = LinodeSim.start(SimOptions.defaults().withDomains(List.of("example.com")), twin);
        // the etcd release, as upstream lays it out, served where the twin serves downloads
        DebianEtcdRelease release = DebianEtcdRelease.of("trixie");
        String path = "etcd-io/etcd/releases/download/v" + release.version() + "/" + release.tarball().getFileName();
        Files.createDirectories(twin.releases().resolve(path).getParent());
        Files.copy(release.tarball(), twin.releases().resolve(path));
        name = "tw" + UUID.randomUUID().toString().substring(0, 5);
        dir = Files.createTempDirectory("birdbath-twin-test");
        config = dir.resolve("birdbath.yaml");
        String vpc = NodeNetwork.freeSlash24(7, List.of(twin.publicPools().get(0),
                twin.privateRange().replace("0/24", ""))) + "0/24";
        Files.writeString(config, "provider: linode\ncluster:\n  name: " + name + "\n  nodes: 3\n"
                + "  domain: example.com\nnetworking:\n  vpc_subnet: " + vpc + "\nipsec:\n  dataplane: userspace\n"
                + "etcd:\n  version: " + release.version() + "\n  sha256: " + Hashes.sha256Hex(release.tarball())
                + "\n  download_url: " + twin.downloadsUrl() + "/etcd-io/etcd/releases/download/v{VERSION}/"
                + "etcd-v{VERSION}-linux-amd64.tar.gz\n");
    }

    @AfterAll
    void removeEverything() {
        try {
            if (sim != null) {
                try {
                    birdbath().down();
                } finally {
                    sim.close(); // closes the twin: every machine, device, namespace and the bridge
                }
            }
        } finally {
            if (dir != null) {
                Host.run(Duration.ofMinutes(1), "rm", "-rf", dir.toString());
            }
        }
    }

    private Birdbath birdbath() {
        return new Birdbath(config, Map.of("LINODE_TOKEN", "sim-token", "LINODE_API_URL", sim.baseUrl()),
                Reporter.into(output::add), ApiSettings.defaults().withPollInterval(Duration.ofMillis(200)));
    }

    private String run(String node, String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = birdbath().ssh(node, command, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as(command + ": " + err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    @Order(1)
    void upThroughStorageOnFreshNodesAndEveryCheckPasses() {
        birdbath().up(STAGES, null, false);
        List<CheckResult> results = birdbath().check(STAGES);
        assertThat(results).isNotEmpty().allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
        List<Node> nodes = birdbath().nodes();
        assertThat(nodes).hasSize(3).allSatisfy(n -> {
            assertThat(n.publicIp()).startsWith(twin.publicPools().get(0));
            assertThat(n.privateIp()).startsWith("198.");
        });
    }

    @Test
    @Order(2)
    void theNodesAreWhatLinodeWouldHaveGiven() {
        String n1 = name + "-1";
        assertThat(run(n1, "hostname")).isEqualTo(n1);
        // the volume under Linode's name carries the brick filesystem
        assertThat(run(n1, "blkid -p -s TYPE -o value /dev/disk/by-id/scsi-0Linode_Volume_" + n1)).isEqualTo("xfs");
        // every stage's package came from the twin's mirror, and etcd from the release tarball
        assertThat(run(n1, "cat /etc/apt/sources.list")).contains(twin.downloadsUrl() + "/debian/");
        assertThat(run(n1, "readlink -f $(command -v etcd)")).isEqualTo("/usr/local/bin/etcd");
        assertThat(run(n1, "systemctl is-enabled strongswan-starter.service || true")).isEqualTo("masked");
        // root has the password of the create request (a hash, not the package's locked '*')
        assertThat(run(n1, "getent shadow root | cut -d: -f2 | cut -c1-3")).isEqualTo("$y$");
    }

    @Test
    @Order(3)
    void aSecondUpMakesNoMutatingCallAndChangesNothing() {
        sim.stats().reset();
        output.clear();
        birdbath().up(STAGES, null, false);
        assertThat(sim.stats().mutating()).isEmpty();
        assertThat(output).filteredOn(l -> l.matches(".*changed=\\d+.*")).isNotEmpty()
                .allMatch(l -> l.contains("changed=0"), "no step changed");
    }

    @Test
    @Order(4)
    void downLeavesNothingInTheAccountOrOnTheHost() {
        birdbath().down();
        assertThat(sim.counts()).containsEntry("instances", 0).containsEntry("volumes", 0)
                .containsEntry("firewalls", 0).containsEntry("vpcs", 0);
        Poll.until("the twin to remove the machines", Duration.ofMinutes(2), Duration.ofMillis(200),
                () -> !Host.check(Duration.ofSeconds(10), "ps", "-eo", "args").contains("-M " + name + "-"));
        Poll.until("the twin to remove their namespaces", Duration.ofMinutes(1), Duration.ofMillis(200),
                () -> twin.namespaces().isEmpty());
        assertThat(Host.check(Duration.ofSeconds(10), "losetup", "-a")).doesNotContain("birdbath-twin");
    }
}
