package birdbath.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.Birdbath;
import birdbath.BirdbathException;
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
import birdbath.stage.storage.StorageStage;
import birdbath.testing.DebianEtcdRelease;
import birdbath.testing.NodeShell;
import birdbath.testkit.TestHost;
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
            "storage", "backups");

    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private RealNodes twin;
    private LinodeSim sim;
    private Path dir;
    private Path config;
    private String name;
    private String vpcPrefix;
    /** Sums of the files written before the grow, as node 1 read them. */
    private String grown;
    private static final String MNT = StorageStage.MOUNT;

    @BeforeAll
    void twin() throws Exception {
        TestHost.requireRoot("the twin's machines are containers in network namespaces");
        twin = new RealNodes(BaseImage.defaultCacheDir(System.getenv()).getParent(), Reporter.into(output::add));
        sim = LinodeSim.start(SimOptions.defaults().withDomains(List.of("example.com")), twin);
        // the etcd release, as upstream lays it out, served where the twin serves downloads: sid's, the newest
        // Debian has (3.5.30 when this was written), which the kubernetes stage also accepts (3.5.24 or newer)
        DebianEtcdRelease release = DebianEtcdRelease.of("sid");
        String path = "etcd-io/etcd/releases/download/v" + release.version() + "/" + release.tarball().getFileName();
        Files.createDirectories(twin.releases().resolve(path).getParent());
        Files.copy(release.tarball(), twin.releases().resolve(path));
        name = "tw" + UUID.randomUUID().toString().substring(0, 5);
        dir = Files.createTempDirectory("birdbath-twin-test");
        config = dir.resolve("birdbath.yaml");
        vpcPrefix = NodeNetwork.freeSlash24(7, List.of(twin.publicPools().get(0),
                twin.privateRange().replace("0/24", "")));
        String vpc = vpcPrefix + "0/24";
        Files.writeString(config, "provider: linode\ncluster:\n  name: " + name + "\n  nodes: 3\n"
                + "  domain: example.com\nnetworking:\n  vpc_subnet: " + vpc + "\nipsec:\n  dataplane: userspace\n"
                + "etcd:\n  version: " + release.version() + "\n  sha256: " + Hashes.sha256Hex(release.tarball())
                + "\n  download_url: " + twin.downloadsUrl() + "/etcd-io/etcd/releases/download/v{VERSION}/"
                + "etcd-v{VERSION}-linux-amd64.tar.gz\nbackups:\n  keep: 2\n");
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
        return NodeShell.run(birdbath(), node, command);
    }

    /** A call to linode-sim's API as a user would make it; anything but 200 fails the test. */
    private com.fasterxml.jackson.databind.JsonNode api(String method, String path) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.baseUrl() + path))
                        .header("Authorization", "Bearer sim-token")
                        .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    }

    /** The labels of what a list endpoint holds (one page of 500: the twin's account holds far fewer). */
    private List<String> labels(String path, String field) throws Exception {
        List<String> out = new ArrayList<>();
        api("GET", path + "?page_size=500").path("data").forEach(d -> out.add(d.path(field).asText()));
        return out;
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

    /**
     * The backups stage on the Linode path: each member's snapshot service (started as its timer would) takes a
     * snapshot with the release tarball's etcdctl, which that release's etcdutl finds sound, and `backup fetch`
     * brings the newest home.
     */
    @Test
    @Order(2)
    void eachMemberSnapshotsItselfWithTheReleaseEtcdctl() throws Exception {
        for (Node n : birdbath().nodes()) {
            run(n.name(), "systemctl start birdbath-backup-etcd.service");
            assertThat(run(n.name(), "cd " + birdbath.stage.backup.BackupStage.ETCD_DIR + " && stat -c '%a %U' *.db"
                    + " && etcdutl snapshot status -w simple *.db >/dev/null && echo sound")).as(n.name())
                    .isEqualTo("600 etcd\nsound");
        }
        List<birdbath.stage.backup.BackupStore.Fetched> fetched = birdbath().backupFetch(List.of(),
                dir.resolve("fetched"));
        assertThat(fetched).hasSize(1);
        assertThat(Files.size(fetched.get(0).file())).isEqualTo(fetched.get(0).bytes()).isPositive();
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
        // the API's name: its public record is for users; on the nodes it is the control plane's private address
        assertThat(run(n1, "getent hosts " + name + "-api.example.com")).startsWith(birdbath().nodes().get(0)
                .privateIp() + " ");
        // root has the password of the create request (a hash, not the package's locked '*')
        assertThat(run(n1, "getent shadow root | cut -d: -f2 | cut -c1-3")).isEqualTo("$y$");
        // its only host key is the one birdbath made and pinned before the instance existed (its user data)
        for (Node n : birdbath().nodes()) {
            assertThat(run(n.name(), "cd /etc/ssh && ls ssh_host_* | tr '\\n' ' '"))
                    .isEqualTo("ssh_host_ecdsa_key ssh_host_ecdsa_key.pub");
            assertThat(run(n.name(), "cut -d' ' -f1,2 /etc/ssh/ssh_host_ecdsa_key.pub")).isEqualTo(pin(n.name()));
        }
    }

    private String pin(String node) {
        try {
            return Files.readAllLines(knownHosts()).stream().filter(l -> l.startsWith(node + " ")).findFirst()
                    .orElseThrow().substring(node.length() + 1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path knownHosts() {
        return config.getParent().resolve(".birdbath/known_hosts");
    }

    /**
     * The Cloud Firewall birdbath made, enforced on the twin: from the host (an address in allowed_cidrs) SSH
     * answers and 6443 answers (refused: nothing listens there yet), while 80 and 443 (this cluster has no apps, so
     * no Traefik) and etcd's and glusterd's ports, which listen (glusterd on every address), get no answer at all. Between members IKE and ESP-in-UDP pass:
     * the IPsec check (SA counters rising on every pair) passed through the same firewall.
     */
    @Test
    @Order(2)
    void theFirewallLetsThroughOnlyWhatTheConfigOpens() {
        String ip = birdbath().nodes().get(0).publicIp();
        assertThat(reach(ip, 22)).isEqualTo("open");
        assertThat(reach(ip, 6443)).as("port 6443").isIn("open", "refused");
        for (int port : List.of(80, 443, 2379, 2380, 24007, 49152)) {
            assertThat(reach(ip, port)).as("port " + port).isEqualTo("no answer");
        }
        assertThat(birdbath().check(List.of("ipsec"))).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
    }

    private static String reach(String ip, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(ip, port), 1500);
            return "open";
        } catch (java.net.ConnectException e) {
            return "refused";
        } catch (java.io.IOException e) {
            return "no answer";
        }
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

    /**
     * Linode's default data plane, kernel ESP, on a second, 2-node cluster that starts with it: its transport-mode
     * config loads into the real charons and IKE comes up between the pair, but this kernel has no ESP, so no CHILD
     * SA can be installed; check says so, per pair, with the kernel's own refusal of an ESP SA.
     */
    @Test
    @Order(5)
    void withKernelEspIkeComesUpAndCheckSaysTheKernelCannotHoldTheEspSa() throws Exception {
        Path kernelDir = Files.createDirectories(dir.resolve("kernel"));
        Path kernelConfig = kernelDir.resolve("birdbath.yaml");
        String vpc = NodeNetwork.freeSlash24(11, List.of(twin.publicPools().get(0),
                twin.privateRange().replace("0/24", ""), vpcPrefix)) + "0/24";
        Files.writeString(kernelConfig, "provider: linode\ncluster:\n  name: " + name + "k\n  nodes: 2\n"
                + "  domain: example.com\nnetworking:\n  vpc_subnet: " + vpc + "\nipsec:\n  dataplane: kernel\n");
        Birdbath kernel = new Birdbath(kernelConfig, Map.of("LINODE_TOKEN", "sim-token", "LINODE_API_URL",
                sim.baseUrl()), Reporter.into(output::add), ApiSettings.defaults().withPollInterval(Duration.ofMillis(200)));
        try {
            kernel.up(List.of("provision", "machine-id", "baseline", "pki", "ipsec"), null, false);
            assertThat(NodeShell.run(kernel, name + "k-1", "swanctl --list-conns")).contains("TRANSPORT");
            java.util.concurrent.atomic.AtomicReference<List<CheckResult>> sas =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Poll.until("IKE SAs between the pair", Duration.ofSeconds(90), Duration.ofSeconds(1), () -> {
                sas.set(kernel.check(List.of("ipsec")).stream().filter(r -> r.probe().startsWith("SA with"))
                        .toList());
                return sas.get().stream().allMatch(r -> r.detail().contains("IKE SA established"));
            });
            assertThat(sas.get()).hasSize(2).allSatisfy(r -> {
                assertThat(r.ok()).isFalse();
                assertThat(r.detail()).contains("this kernel cannot hold an ESP SA (ip xfrm: ")
                        .contains("ipsec.dataplane: userspace");
            });
        } finally {
            kernel.down();
        }
    }

    /**
     * The kubernetes stage on the twin: its prerequisites hold (etcd 3.5.24 or newer), its first step runs on every
     * node and stops with one line naming the containerd release it cannot download (nothing but this machine is
     * reachable; the pinned digest could not match a stand-in anyway), and nothing of it is installed. The
     * installer with a real containerd 2 is proven on a local node instead (ContainerRuntimeTest).
     */
    @Test
    @Order(6)
    void theKubernetesStageStopsAtTheContainerdDownloadAndSaysSo() {
        assertThatThrownBy(() -> birdbath().up(List.of("kubernetes"), null, false))
                .isInstanceOf(BirdbathException.class)
                .hasMessageContaining("cannot download " + birdbath.stage.kubernetes.ContainerRuntime.PINNED.containerdUrl())
                .hasMessageContaining("Could not resolve host: github.com");
        for (int n = 1; n <= 3; n++) {
            String node = name + "-" + n;
            assertThat(run(node, "test -e /usr/local/bin/containerd && echo installed || echo absent"))
                    .isEqualTo("absent");
            assertThat(run(node, "grep -c 'SystemdCgroup = true' /etc/containerd/config.toml")).isEqualTo("1");
        }
    }

    /**
     * A reboot through the API (POST /linode/instances/{id}/reboot) restarts the machine: the status leaves
     * running and comes back, its volume is there again under Linode's name, and every stage's units bring the
     * node back into the mesh, etcd and the volume by themselves.
     */
    @Test
    @Order(7)
    void aRebootThroughTheApiBringsTheNodeBackIntoEveryStage() throws Exception {
        Node node = birdbath().nodes().get(2);
        String init = "awk '{print $22}' /proc/1/stat"; // when the node's init started, in ticks since the host's boot
        String before = run(node.name(), init);
        api("POST", "/linode/instances/" + node.providerId() + "/reboot");
        Poll.until(node.name() + " to come back from its reboot", Duration.ofMinutes(2), Duration.ofMillis(500),
                () -> {
                    try {
                        return "running".equals(twin.status(Long.parseLong(node.providerId())))
                                && !run(node.name(), init).equals(before);
                    } catch (AssertionError | RuntimeException e) {
                        return false; // not answering while it reboots
                    }
                });
        assertThat(run(node.name(), "test -b /dev/disk/by-id/scsi-0Linode_Volume_" + node.name() + " && echo yes"))
                .isEqualTo("yes");
        Poll.until("every stage to recover on " + node.name(), Duration.ofMinutes(2), Duration.ofSeconds(2),
                () -> birdbath().check(STAGES).stream().allMatch(CheckResult::ok));
    }

    /**
     * storage.volume_size_gb raised from 20 to 21: `up` resizes each volume through the API, the twin grows the
     * loop device behind it (the node sees its Linode device grow), and the storage stage grows the brick's XFS
     * online; check stays green.
     */
    @Test
    @Order(8)
    void aRaisedVolumeSizeResizesTheVolumesAndGrowsTheBricks() throws Exception {
        String base = Files.readString(config);
        Files.writeString(config, base + "storage:\n  volume_size_gb: 21\n");
        birdbath().up(List.of("provision", "storage"), null, false);
        long gib = 1L << 30;
        for (Node node : birdbath().nodes()) {
            assertThat(Long.parseLong(run(node.name(), "blockdev --getsize64 /dev/disk/by-id/scsi-0Linode_Volume_"
                    + node.name()))).as(node.name() + "'s volume").isEqualTo(21 * gib);
            assertThat(Long.parseLong(run(node.name(), "df -B1 --output=size "
                    + StorageStage.BRICK_MOUNT + " | tail -1").strip()))
                    .as(node.name() + "'s brick").isGreaterThan(20 * gib);
        }
        assertThat(birdbath().check(STAGES)).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
    }

    /** A node that shows another host key than its pin (rebuilt behind birdbath's back, or someone between). */
    @Test
    @Order(8)
    void aNodeWhoseHostKeyIsNotItsPinIsRefusedInOneLineNamingIt() throws Exception {
        String n2 = name + "-2";
        String saved = Files.readString(knownHosts());
        String other = birdbath.remote.HostKey.generate(new java.security.SecureRandom()).publicKey();
        Files.writeString(knownHosts(), saved.replace(n2 + " " + pin(n2) + "\n", n2 + " " + other + "\n"));
        try {
            String said;
            try {
                said = String.join("\n", birdbath().check(STAGES).stream().filter(r -> !r.ok())
                        .map(Object::toString).toList());
            } catch (BirdbathException e) {
                said = e.getMessage();
            }
            assertThat(said).contains("the SSH host key of " + n2 + " (").contains("is not the one pinned in "
                    + knownHosts());
        } finally {
            Files.writeString(knownHosts(), saved);
        }
        assertThat(birdbath().check(STAGES)).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
    }

    /**
     * A Linode deleted through the API (DELETE /linode/instances/{id}: its volume stays, detached, as Linode keeps
     * volumes) is recreated by the next `up` and rejoins everything: a fresh machine id, its certificate, IPsec
     * with every peer, its etcd member replaced, its glusterd back in the pool under its old UUID and its brick on
     * the volume that survived started and healed: a file written while it was gone reads back on it. check green.
     */
    @Test
    @Order(9)
    void aNodeDeletedThroughTheApiIsRecreatedByUpAndRejoinsEverything() throws Exception {
        Node node = birdbath().nodes().get(2);
        String machineId = run(node.name(), "cat /etc/machine-id");
        api("DELETE", "/linode/instances/" + node.providerId());
        String first = birdbath().nodes().get(0).name();
        run(first, "echo written while it was gone > " + MNT + "/while-gone.txt");
        output.clear();
        birdbath().up(STAGES, null, false);
        Node again = birdbath().nodes().get(2);
        assertThat(again.name()).isEqualTo(node.name());
        assertThat(again.providerId()).isNotEqualTo(node.providerId());
        assertThat(run(again.name(), "cat /etc/machine-id")).isNotEqualTo(machineId);
        assertThat(run(again.name(), "cat " + MNT + "/while-gone.txt"))
                .isEqualTo("written while it was gone");
        assertThat(output).anyMatch(l -> l.contains(node.name()) && l.contains("took back UUID"));
        assertThat(birdbath().check(STAGES)).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
    }

    /**
     * The same with its volume deleted too (DELETE /volumes/{id} once the instance is gone: a lost disk): `up`
     * creates and attaches a new volume, formats it, and the empty brick on it is reset and healed full from the
     * other two: every file, those written before and one written while it was gone, byte for byte on its brick.
     */
    @Test
    @Order(10)
    void aNodeDeletedWithItsVolumeGetsANewVolumeWhoseBrickIsHealedFull() throws Exception {
        Node node = birdbath().nodes().get(1);
        String first = birdbath().nodes().get(0).name();
        run(first, "mkdir -p " + MNT + "/lost && for i in $(seq 1 20); do head -c $((i * 40000)) /dev/urandom > "
                + MNT + "/lost/f$i; done");
        String sums = run(first, "cd " + MNT + " && sha256sum lost/*");
        long volume = volumeOf(node.name());
        api("DELETE", "/linode/instances/" + node.providerId());
        api("DELETE", "/volumes/" + volume);
        run(first, "echo written while it was gone > " + MNT + "/lost/while-gone.txt");
        output.clear();
        birdbath().up(STAGES, null, false);
        assertThat(volumeOf(node.name())).isNotEqualTo(volume);
        assertThat(output).anyMatch(l -> l.contains(node.name()) && l.contains("its brick is new and empty"))
                .anyMatch(l -> l.contains(node.name()) && l.contains("healed: its brick holds what the others do"));
        assertThat(run(node.name(), "cd " + StorageStage.BRICK_DIR + " && sha256sum lost/f*")).as("its new brick")
                .isEqualTo(sums);
        assertThat(run(node.name(), "cat " + StorageStage.BRICK_DIR + "/lost/while-gone.txt"))
                .isEqualTo("written while it was gone");
        assertThat(birdbath().check(STAGES)).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
    }

    private long volumeOf(String label) throws Exception {
        for (com.fasterxml.jackson.databind.JsonNode v : api("GET", "/volumes?page_size=500").path("data")) {
            if (v.path("label").asText().equals(label)) {
                return v.path("id").asLong();
            }
        }
        throw new AssertionError("no volume " + label + " in the account");
    }

    /**
     * cluster.nodes 3 -> 6: three more Linodes, each with its volume, DNS record and a place in the firewall
     * (whose rules now name them: without that IPsec and glusterd could not reach them), join every stage; the
     * volume becomes 2 x 3 and the rebalance moves files onto the new set. Every file reads the same on node 6.
     */
    @Test
    @Order(11)
    void sixNodesAddASecondReplicaSetWithTheirVolumesRecordsAndFirewall() throws Exception {
        String first = birdbath().nodes().get(0).name();
        run(first, "mkdir -p " + MNT + "/grown && for i in $(seq 1 30); do head -c $((i * 30000)) /dev/urandom > "
                + MNT + "/grown/f$i; done");
        grown = run(first, "cd " + MNT + " && find grown lost -type f | sort | xargs sha256sum");
        Files.writeString(config, Files.readString(config).replace("  nodes: 3\n", "  nodes: 6\n"));
        birdbath().up(STAGES, null, false);
        assertThat(sim.counts()).containsEntry("instances", 6).containsEntry("volumes", 6);
        assertThat(run(first, "gluster --mode=script volume info " + StorageStage.VOLUME
                + " | grep 'Number of Bricks'")).isEqualTo("Number of Bricks: 2 x 3 = 6");
        assertThat(run(name + "-6", "cd " + MNT + " && find grown lost -type f | sort | xargs sha256sum"))
                .isEqualTo(grown);
        assertThat(Integer.parseInt(run(name + "-4", "find " + StorageStage.BRICK_DIR + " -path '*/.glusterfs'"
                + " -prune -o -type f -size +0 -print | wc -l"))).as("files the rebalance moved to node 4").isPositive();
        assertThat(nodeRecords()).containsExactly(name + "-1", name + "-2", name + "-3", name + "-4", name + "-5",
                name + "-6");
        assertThat(firewallDevices()).isEqualTo(6);
        assertThat(birdbath().check(STAGES)).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
    }

    /**
     * 6 -> 3 with --yes: the data moves off the second set before its Linodes, volumes, records and firewall
     * places go; every file is still there by its sum; check green.
     */
    @Test
    @Order(12)
    void backToThreeMovesTheDataOffBeforeTheLinodesGo() throws Exception {
        Files.writeString(config, Files.readString(config).replace("  nodes: 6\n", "  nodes: 3\n"));
        output.clear();
        birdbath().up(STAGES, null, true);
        assertThat(sim.counts()).containsEntry("instances", 3).containsEntry("volumes", 3);
        assertThat(run(name + "-1", "gluster --mode=script volume info " + StorageStage.VOLUME
                + " | grep 'Number of Bricks'")).isEqualTo("Number of Bricks: 1 x 3 = 3");
        for (Node n : birdbath().nodes()) {
            assertThat(run(n.name(), "cd " + MNT + " && find grown lost -type f | sort | xargs sha256sum"))
                    .as(n.name()).isEqualTo(grown);
        }
        assertThat(nodeRecords()).containsExactly(name + "-1", name + "-2", name + "-3");
        assertThat(firewallDevices()).isEqualTo(3);
        assertThat(birdbath().check(STAGES)).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
    }

    /** This cluster's node records in the domain, sorted. */
    private List<String> nodeRecords() throws Exception {
        long domain = -1;
        for (com.fasterxml.jackson.databind.JsonNode d : api("GET", "/domains").path("data")) {
            if (d.path("domain").asText().equals("example.com")) {
                domain = d.path("id").asLong();
            }
        }
        return labels("/domains/" + domain + "/records", "name").stream()
                .filter(r -> r.matches(java.util.regex.Pattern.quote(name) + "-\\d+")).sorted().toList();
    }

    /** How many devices the cluster's firewall covers (its nodes; a NodeBalancer would count too). */
    private int firewallDevices() throws Exception {
        for (com.fasterxml.jackson.databind.JsonNode f : api("GET", "/networking/firewalls").path("data")) {
            if (f.path("label").asText().equals(name + "-fw")) {
                return api("GET", "/networking/firewalls/" + f.path("id").asLong() + "/devices").path("data").size();
            }
        }
        throw new AssertionError("no firewall " + name + "-fw");
    }

    @Test
    @Order(13)
    void downLeavesNothingInTheAccountOrOnTheHost() {
        birdbath().down();
        assertThat(sim.counts()).containsEntry("instances", 0).containsEntry("volumes", 0)
                .containsEntry("firewalls", 0).containsEntry("vpcs", 0);
        Poll.until("the twin to remove the machines", Duration.ofMinutes(2), Duration.ofMillis(200),
                () -> !Host.check(Duration.ofSeconds(10), "ps", "-eo", "args").contains("-M " + name + "-"));
        Poll.until("the twin to remove their namespaces", Duration.ofMinutes(1), Duration.ofMillis(200),
                () -> twin.namespaces().isEmpty());
        Poll.until("the twin to remove the volumes' loop devices", Duration.ofMinutes(1), Duration.ofMillis(200),
                () -> !Host.check(Duration.ofSeconds(10), "losetup", "-a").contains("birdbath-twin"));
    }
}
