package birdbath.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.Birdbath;
import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.Reporter;
import birdbath.host.Host;
import birdbath.node.BaseImage;
import birdbath.node.NodeContainer;
import birdbath.provider.Node;
import birdbath.stage.CheckResult;
import birdbath.testkit.TestHost;
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
 * A real 3-node local cluster: systemd-nspawn nodes with systemd and sshd, SSH through MINA, the machine-id and
 * baseline stages, check, and a down that leaves nothing. Needs root, systemd-nspawn and debootstrap (.ci/run
 * installs them); the first run builds the base image (about a minute).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LocalClusterTest {

    private final String name = "t" + UUID.randomUUID().toString().substring(0, 6);
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    /** Every line every command of this class printed, never cleared (for the secrets test at the end). */
    private final List<String> everything = Collections.synchronizedList(new ArrayList<>());
    private Path dir;
    private Path config;

    @BeforeAll
    void upFreshCluster() throws Exception {
        TestHost.requireRoot("local nodes are containers in network namespaces, with loop devices");
        TestHost.requireProgram("tcpdump");
        LocalProvider.preflight();
        dir = Files.createTempDirectory("birdbath-local");
        config = dir.resolve("birdbath.yaml");
        Files.writeString(config, "provider: local\ncluster:\n  name: " + name + "\n  nodes: 3\n");
    }

    @AfterAll
    void removeEverything() {
        try {
            if (config != null) {
                // birdbath refuses to run on keys open to others: whatever a test did to the modes, the nodes go
                Path state = dir.resolve(".birdbath");
                Host.run(Duration.ofMinutes(1), "sh", "-c", "chmod -f go-rwx \"$1\"; cd \"$1\" && chmod -Rf go-rwx ssh secrets pki"
                        + " kubeconfig; true", "sh", state.toString());
                birdbath().down();
            }
        } finally {
            if (dir != null) {
                Host.run(Duration.ofMinutes(1), "rm", "-rf", "--one-file-system", dir.toString());
            }
        }
    }

    private Birdbath birdbath() {
        return new Birdbath(config, Map.of(), Reporter.into(line -> {
            output.add(line);
            everything.add(line);
        }));
    }

    private String run(String node, String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = birdbath().ssh(node, command, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(exit).as(command).isZero();
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    @Order(1)
    void freshClusterComesUpThroughBaselineAndChecksOk() {
        List<Node> nodes = birdbath().up(List.of(), null, false);
        assertThat(nodes).extracting(Node::name).containsExactly(name + "-1", name + "-2", name + "-3");
        assertThat(nodes).allSatisfy(n -> {
            assertThat(n.privateIp()).startsWith("198.1");
            assertThat(n.ssh().user()).isEqualTo("birdbath");
            assertThat(n.storageDevice()).startsWith("/dev/loop");
        });
        List<CheckResult> results = birdbath().check(List.of());
        // provision, machine-id, baseline (4 probes), pki, ipsec (one per peer, and the guard), etcd (5 per member,
        // 1 for all), storage (peers, brick and mount per node; volume started, bricks as configured and nothing
        // to heal once); and per node "files as rendered" for each of the 5 stages that keep files (baseline, pki,
        // ipsec, etcd, storage)
        assertThat(results).hasSize(3 * (1 + 1 + 4 + 1 + 2 + 1) + 3 * 5 + 1 + 3 * 3 + 3 + 3 * 5);
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
        assertThat(run(name + "-2", "lsblk -dno NAME " + nodes.get(1).storageDevice())).isNotEmpty();
    }

    @Test
    @Order(2)
    void clonedMachineIdsBecameUniqueAndUniqueOnesAreLeftAlone() throws Exception {
        String base = Files.readString(LocalProviderImage.rootfs().resolve("etc/machine-id")).strip();
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            ids.add(run(name + "-" + n, "cat /etc/machine-id"));
        }
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids.get(0)).as("the lowest-numbered holder keeps the cloned id").isEqualTo(base);
        output.clear();
        birdbath().up(List.of("machine-id"), null, false);
        for (int n = 1; n <= 3; n++) {
            assertThat(run(name + "-" + n, "cat /etc/machine-id")).isEqualTo(ids.get(n - 1));
        }
        assertThat(output).noneMatch(l -> l.contains("changed"));
    }

    @Test
    @Order(3)
    void secondUpChangesNothing() {
        output.clear();
        birdbath().up(List.of(), null, false);
        assertThat(output).anyMatch(l -> l.contains("provision: ok, nothing to change"));
        assertThat(output).filteredOn(l -> l.contains("baseline   ")).isNotEmpty()
                .allMatch(l -> l.contains("changed=0"));
        assertThat(output).noneMatch(l -> l.matches(".*\\bchanged\\b(?!=).*"));
    }

    @Test
    @Order(4)
    void engineStepsAreIdempotentAndRestartAUnitWhenItsConfigChanges() {
        Birdbath b = birdbath();
        List<Node> nodes = b.nodes();
        var credentials = new birdbath.secrets.ClusterCredentials(dir.resolve(".birdbath"));
        try (var connector = new birdbath.remote.SshConnector(credentials.privateKeyFile(),
                new birdbath.remote.KnownHosts(dir.resolve(".birdbath")), Duration.ofSeconds(30));
             var engine = new birdbath.remote.Engine(connector, List.of(credentials.loginUser()),
                     dir.resolve(".birdbath/logs"), Reporter.silent(), 4)) {
            String[] config = {"one"};
            java.util.function.Function<Node, List<birdbath.remote.Step>> steps = n -> List.of(
                    new birdbath.remote.Step.PutFile(birdbath.remote.NodeFile.of("/etc/birdbath-test.conf",
                            config[0] + "\n").withMode("600")),
                    new birdbath.remote.Step.PutFile(birdbath.remote.NodeFile.of("/etc/systemd/system/birdbath-test.service",
                            "[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n")),
                    new birdbath.remote.Step.RunUnless("daemon-reload", "systemctl daemon-reload", null,
                            List.of("/etc/systemd/system/birdbath-test.service")),
                    new birdbath.remote.Step.EnsureUnit("birdbath-test.service", List.of("/etc/birdbath-test.conf")));
            assertThat(engine.converge("test", nodes, steps)).allSatisfy(r -> assertThat(r.changed()).isEqualTo(4));
            String pid = run(name + "-1", "systemctl show -p MainPID --value birdbath-test");
            assertThat(run(name + "-1", "stat -c %a /etc/birdbath-test.conf")).isEqualTo("600");
            assertThat(engine.converge("test", nodes, steps)).allSatisfy(r -> {
                assertThat(r.changed()).isZero();
                assertThat(r.ok()).isEqualTo(4);
            });
            assertThat(run(name + "-1", "systemctl show -p MainPID --value birdbath-test")).isEqualTo(pid);
            config[0] = "two";
            assertThat(engine.converge("test", nodes, steps)).allSatisfy(r -> assertThat(r.changed()).isEqualTo(2));
            assertThat(run(name + "-1", "systemctl show -p MainPID --value birdbath-test")).isNotEqualTo(pid);
            assertThatThrownBy(() -> engine.converge("test", nodes, n -> List.of(new birdbath.remote.Step.RunUnless(
                    "a failing step", "echo doomed >&2; exit 3", null))))
                    .hasMessageContaining(name + "-2: a failing step: `echo doomed >&2; exit 3` failed (exit 3): doomed");
        }
        assertThat(dir.resolve(".birdbath/logs/" + name + "-1.log")).content()
                .contains("test file /etc/birdbath-test.conf: changed", "test unit birdbath-test.service: ok");
    }

    @Test
    @Order(8)
    void aStoppedNodeFailsTheRunByNameAndUpBringsItBack() throws Exception {
        NodeContainer node2 = new NodeContainer(name + "-2", dir.resolve(".birdbath/local/nodes/" + name + "-2"));
        node2.stop();
        assertThatThrownBy(() -> birdbath().up(List.of("machine-id", "baseline"), null, false))
                .isInstanceOf(BirdbathException.class).hasMessageContaining(name + "-2: cannot connect")
                .hasMessageNotContaining(name + "-1:").hasMessageNotContaining(name + "-3:");
        assertThat(birdbath().plan().render()).contains("~ node  " + name + "-2  start (stopped)");
        // booted again, and nothing else: its units bring the brick, glusterd, etcd and the mounts back
        birdbath().up(List.of("provision"), null, false);
        try {
            Poll.until("storage and etcd to recover after the reboot", Duration.ofSeconds(90), Duration.ofSeconds(1),
                    () -> birdbath().check(List.of("etcd", "storage")).stream().allMatch(CheckResult::ok));
        } catch (BirdbathException e) {
            for (int n = 1; n <= 3; n++) {
                System.err.println("DIAG " + n + "\n" + run(name + "-" + n, "gluster volume heal birdbath info;"
                        + " gluster volume status birdbath; swanctl --list-sas | grep -E 'ESTABLISHED|INSTALLED';"
                        + " systemctl --failed --no-pager; journalctl -b -u mnt-birdbath.mount -u"
                        + " birdbath-storage-remount.service --no-pager | tail -20; tail -30"
                        + " /var/log/glusterfs/glustershd.log"));
            }
            throw e;
        }
        birdbath().up(List.of(), null, false);
        // seen once (full run, 2026-12-02): 2 entries waiting for self-heal right after this up. Likely cause, not
        // seen directly: a check counts 0 heals, then its mount probe writes through node 2's client before that
        // reconnected to every brick; the self-heal daemon takes such entries within its 30 s crawl. Only they wait
        List<CheckResult> failed = new java.util.ArrayList<>();
        Poll.within("pending heals to drain after up", Duration.ofSeconds(60), Duration.ofSeconds(2), () -> {
            failed.clear();
            failed.addAll(birdbath().check(List.of()).stream().filter(r -> !r.ok()).toList());
            return failed.stream().allMatch(r -> !r.probe().equals("nothing to heal"));
        });
        if (!failed.isEmpty()) {
            for (int n = 1; n <= 3; n++) {
                System.err.println("DIAG " + n + "\n" + run(name + "-" + n, "swanctl --list-sas; nft list ruleset;"
                        + " ip route show table 220; systemctl is-active birdbath-ipsec-guard birdbath-ipsec"
                        + " birdbath-ipsec-keeper; journalctl -u birdbath-ipsec --no-pager | tail -40"));
            }
        }
        assertThat(failed).isEmpty();
    }

    @Test
    @Order(9)
    void aChangedHostKeyIsRefused() {
        run(name + "-3", "rm -f /etc/ssh/ssh_host_* && ssh-keygen -A -q && systemctl restart ssh");
        assertThatThrownBy(() -> birdbath().up(List.of("baseline"), null, false))
                .hasMessageContaining("the SSH host key of " + name + "-3")
                .hasMessageContaining("is not the one pinned");
        List<CheckResult> results = birdbath().check(List.of("provision"));
        assertThat(results).filteredOn(r -> r.node().equals(name + "-3")).singleElement()
                .satisfies(r -> assertThat(r.detail()).contains("not the one pinned"));
        // the user's way out: forget the pin, as the message says
        new birdbath.remote.KnownHosts(dir.resolve(".birdbath")).forget(name + "-3");
        assertThat(birdbath().check(List.of())).allMatch(CheckResult::ok);
    }

    @Test
    @Order(11)
    void downLeavesNothingBehind() {
        String id = networkId();
        birdbath().down();
        assertThat(Host.check(Duration.ofSeconds(10), "ip", "netns", "list")).doesNotContain("bb" + id);
        assertThat(Host.check(Duration.ofSeconds(10), "ip", "-o", "link")).doesNotContain("bb" + id);
        assertThat(Host.check(Duration.ofSeconds(10), "cat", "/proc/mounts")).doesNotContain(dir.toString());
        assertThat(Host.check(Duration.ofSeconds(10), "losetup", "-a")).doesNotContain(dir.toString());
        assertThat(Host.check(Duration.ofSeconds(10), "ps", "-eo", "args")).doesNotContain("-M " + name + "-");
        assertThat(dir.resolve(".birdbath/local")).doesNotExist();
        config = null;
    }

    /** The inbound SPIs of every node's CHILD SAs, by node and peer: they change when an SA is re-established. */
    private Map<String, String> spis(int nodes) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (int n = 1; n <= nodes; n++) {
            for (int p = 1; p <= nodes; p++) {
                if (p != n) {
                    out.put(n + "->" + p, run(name + "-" + n, "swanctl --list-sas --child " + name + "-" + p
                            + " | awk '$1==\"in\" {print $2}' | tr -d , | sort | paste -sd,"));
                }
            }
        }
        return out;
    }

    @Test
    @Order(5)
    void theMeshCarriesOnlyEspInUdpOnTheWire() throws Exception {
        String bridge = "bb" + networkId();
        Path capture = dir.resolve("capture.txt");
        Path errors = dir.resolve("capture.err");
        Process tcpdump = new ProcessBuilder("timeout", "60", "tcpdump", "-i", bridge, "-nn", "-l",
                "ip and not port 22 and not host " + gatewayOf(birdbath().nodes().get(0).privateIp()))
                .redirectOutput(capture.toFile()).redirectError(errors.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(errors).contains("listening on") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // check pings every pair and requires the SA counters to rise
            List<CheckResult> ipsec = birdbath().check(List.of("ipsec"));
            // 6 SAs (one per node and peer), 3 guards, and each node's files as rendered
            assertThat(ipsec).hasSize(12).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
        } finally {
            tcpdump.destroy();
            tcpdump.waitFor(10, TimeUnit.SECONDS);
        }
        List<String> packets = Files.readAllLines(capture).stream().filter(l -> !l.isBlank()).toList();
        assertThat(packets).as("pings were captured").hasSizeGreaterThan(12);
        assertThat(packets).allSatisfy(l -> assertThat(l).matches(".*\\.(4500|500) > .*\\.(4500|500): (UDP-encap: ESP|isakmp|NONESP-encap).*"));
        assertThat(packets).noneMatch(l -> l.contains("ICMP"));
    }

    private static String gatewayOf(String address) {
        return address.substring(0, address.lastIndexOf('.')) + ".1";
    }

    @Test
    @Order(6)
    void aSecondUpTearsDownNoSa() {
        Map<String, String> before = spis(3);
        assertThat(before.values()).allSatisfy(v -> assertThat(v).isNotEmpty());
        output.clear();
        birdbath().up(List.of(), null, false);
        assertThat(output).filteredOn(l -> l.contains(" ipsec ")).hasSize(3).allMatch(l -> l.contains("changed=0"));
        assertThat(spis(3)).isEqualTo(before);
    }

    /**
     * The plaintext guard outlives a stop of its unit (a restart never opens a gap); a guard that is gone (nft
     * flush ruleset) is a failed check naming the node, and the next `up` loads it again. Strongswan-starter is
     * masked, so no package install can start a second charon.
     */
    @Test
    @Order(6)
    void theGuardStaysWhenItsUnitStopsAndCheckAndUpNoticeWhenItIsGone() {
        String n2 = name + "-2";
        run(n2, "systemctl stop birdbath-ipsec-guard.service");
        assertThat(run(n2, "nft list table inet birdbath_ipsec")).contains("set members");
        run(n2, "systemctl start birdbath-ipsec-guard.service");
        assertThat(run(n2, "systemctl is-enabled strongswan-starter.service || true")).isEqualTo("masked");

        run(n2, "nft delete table inet birdbath_ipsec");
        List<CheckResult> failed = birdbath().check(List.of("ipsec")).stream().filter(r -> !r.ok()).toList();
        assertThat(failed).singleElement().satisfies(r -> {
            assertThat(r.node()).isEqualTo(n2);
            assertThat(r.toString()).contains("plaintext guard", "inet birdbath_ipsec is gone");
        });
        birdbath().up(List.of("ipsec"), null, false);
        assertThat(run(n2, "nft list table inet birdbath_ipsec")).contains("set members");
        assertThat(birdbath().check(List.of("ipsec"))).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
    }

    @Test
    @Order(7)
    void renderShowsTheDeployedSwanctlConf() {
        String rendered = birdbath().render("ipsec", name + "-2").get(name + "-2").stream()
                .filter(f -> f.path().equals("/etc/swanctl/conf.d/birdbath.conf")).findFirst().orElseThrow().text();
        assertThat(rendered).contains("remote_addrs = ", "id = ", "cacerts = birdbath-ca-0.crt", "mode = tunnel",
                "encap = yes");
        assertThat(run(name + "-2", "cat /etc/swanctl/conf.d/birdbath.conf") + "\n").isEqualTo(rendered);
    }

    @Test
    @Order(10)
    void aJoiningNodeKeepsTheOthersSasAndAForeignCertificateGetsNone() throws Exception {
        Map<String, String> before = spis(3);
        Files.writeString(config, "provider: local\ncluster:\n  name: " + name + "\n  nodes: 4\n");
        birdbath().up(List.of(), null, false);
        assertThat(birdbath().check(List.of())).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
        Map<String, String> after = spis(4);
        // every pair keeps an SA that was up before the join (after the earlier restart of node 2 a pair may have
        // held a duplicate CHILD SA, which charon may close meanwhile: see issue 5's notes)
        before.forEach((pair, spis) -> assertThat(List.of(after.get(pair).split(","))).as(pair)
                .containsAnyElementsOf(List.of(spis.split(","))));

        // node 4 now presents a certificate from another CA, and sends in the clear
        Path otherDir = Files.createDirectories(dir.resolve("other-ca"));
        Files.writeString(otherDir.resolve("birdbath.yaml"), "provider: local\ncluster:\n  name: " + name + "\n  nodes: 4\n");
        birdbath.pki.Pki other = new birdbath.pki.Pki(new birdbath.config.ConfigLoader(Map.of())
                .load(otherDir.resolve("birdbath.yaml"), w -> { }));
        Node four = birdbath().nodes().get(3);
        other.issue(List.of(four), false);
        String cert = Files.readString(other.dir().resolve("nodes/" + four.name() + ".crt"));
        String key = Files.readString(other.dir().resolve("nodes/" + four.name() + ".key"));
        run(four.name(), "cat > /etc/swanctl/x509/birdbath-node.crt <<'EOF'\n" + cert + "EOF\n"
                + "cat > /etc/swanctl/private/birdbath-node.key <<'EOF'\n" + key + "EOF\n"
                + "systemctl restart birdbath-ipsec");
        for (int n = 1; n <= 3; n++) {
            run(name + "-" + n, "swanctl --terminate --ike " + four.name() + " >/dev/null 2>&1; true");
        }
        // members keep trying (their keeper) and must keep failing
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            for (int n = 1; n <= 3; n++) {
                assertThat(run(name + "-" + n, "swanctl --list-sas --child " + four.name() + " | grep -c INSTALLED"
                        + " || true")).as("SA between " + name + "-" + n + " and a foreign certificate").isEqualTo("0");
            }
        }
        String refusals = run(name + "-1", "journalctl -u birdbath-ipsec --no-pager | grep -i -e 'no trusted' -e 'AUTH_FAILED' -e 'no issuer certificate found' -e"
                + " 'AUTHENTICATION_FAILED' -e 'constraint check failed' -e 'not authenticated' | tail -3 || true");
        assertThat(refusals).as("node 1's charon log, refusing node 4's certificate").isNotBlank();
        // without its guard and its charon, node 4's pings go out in the clear and no member answers
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = birdbath().ssh(four.name(), "systemctl stop birdbath-ipsec-keeper birdbath-ipsec"
                + " birdbath-ipsec-guard; ping -c 3 -i 0.2 -W 1 " + birdbath().nodes().get(0).privateIp(),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isNotZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("3 packets transmitted, 0 received");
    }

    private String networkId() {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(dir.resolve(".birdbath/local/network.json").toFile()).get("id").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The cached base image, to read what every clone starts with. */
    static final class LocalProviderImage {
        static Path rootfs() {
            BaseImage image = new BaseImage(BaseImage.defaultCacheDir(System.getenv()));
            return image.ensure(BaseImage.hostMirror(), Reporter.silent());
        }
    }

    /**
     * After every command of this class (up, check, render, re-runs, a join, failures): no generated secret, no
     * private key and no password appears in anything birdbath printed or logged (.birdbath/logs). The secrets
     * are read from .birdbath/ itself: every key file (each line of its base64 body) and every file under
     * secrets/. The same search finds a key line planted in the output, so it can fail.
     */
    @Test
    @Order(20)
    void noSecretOrPrivateKeyAppearsInAnyOutputOrLog() throws Exception {
        Path state = dir.resolve(".birdbath");
        List<String> secrets = new ArrayList<>();
        try (var files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String fileName = f.getFileName().toString();
                boolean key = fileName.endsWith(".key") || fileName.equals("id_ecdsa");
                if (key) {
                    Files.readString(f).lines().filter(l -> !l.startsWith("-----") && l.length() >= 24)
                            .forEach(secrets::add);
                } else if (state.relativize(f).startsWith("secrets")) {
                    String value = Files.readString(f).strip();
                    if (value.length() >= 8) {
                        secrets.add(value);
                    }
                }
            }
        }
        assertThat(secrets).as("keys and secrets found in .birdbath").hasSizeGreaterThan(10);
        List<String> haystack = new ArrayList<>(everything);
        try (var logs = Files.walk(state.resolve("logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                haystack.add(Files.readString(log));
            }
        }
        assertThat(haystack).as("output lines and log files searched").hasSizeGreaterThan(50);
        assertThat(leaks(haystack, secrets)).isEmpty();
        assertThat(leaks(List.of("look: " + secrets.get(0)), secrets)).as("the search finds a planted key line")
                .isNotEmpty();
    }

    private static List<String> leaks(List<String> haystack, List<String> secrets) {
        List<String> found = new ArrayList<>();
        for (String s : secrets) {
            if (haystack.stream().anyMatch(h -> h.contains(s))) {
                found.add(s.substring(0, 6) + "... (" + s.length() + " characters)");
            }
        }
        return found;
    }
}
