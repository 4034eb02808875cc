package birdbath.stage.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.Hashes;
import birdbath.Poll;
import birdbath.pki.CertRequest;
import birdbath.pki.CertificateAuthority;
import birdbath.pki.Pki;
import birdbath.pki.TlsContexts;
import birdbath.provider.Node;
import birdbath.stage.CheckResult;
import birdbath.stage.kubernetes.ControlPlaneStart;
import birdbath.testing.DebianEtcdRelease;
import birdbath.testing.LocalTestCluster;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Real etcd 3.4 on a real 3-node local cluster (over the IPsec mesh): mutual TLS, refusals, a lost member,
 * snapshot and restore, replacement of a rebuilt member, and a second `up` that restarts nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class EtcdClusterTest {

    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private LocalTestCluster cluster;

    @BeforeAll
    void cluster() throws Exception {
        cluster = new LocalTestCluster("e", "");
    }

    @AfterAll
    void removeEverything() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void put(int via, String key, String value) {
        cluster.birdbath().withEtcd(e -> {
            e.client().put(e.endpoint(e.members().get(via - 1)), key, value);
            return null;
        });
    }

    /** A serializable read: what member {@code via} itself holds, without asking the leader. */
    private Optional<String> localRead(int via, String key) {
        return cluster.birdbath().withEtcd(e -> e.client().get(e.endpoint(e.members().get(via - 1)), key, true));
    }

    private String journal(int n) {
        return cluster.run(cluster.node(n), "journalctl -u " + EtcdCluster.UNIT + " --no-pager -o cat");
    }

    private String pid(int n) {
        return cluster.run(cluster.node(n), "systemctl show -p MainPID -p ActiveEnterTimestampMonotonic "
                + EtcdCluster.UNIT);
    }

    @Test
    @Order(1)
    void threeHealthyMembersAndAKeyWrittenThroughOneIsReadThroughAnother() {
        cluster.birdbath().up(List.of(), null, false);
        List<CheckResult> etcd = cluster.birdbath().check(List.of("etcd"));
        // 5 probes per member, the member list once, and each member's files as rendered
        assertThat(etcd).hasSize(3 * 5 + 1 + 3).allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());
        assertThat(cluster.birdbath().etcdStatus()).hasSize(3)
                .allSatisfy(s -> assertThat(s.healthy()).isTrue())
                .filteredOn(EtcdOperations.MemberStatus::leader).hasSize(1);
        put(1, "/birdbath/test", "written through member 1");
        Optional<String> read = cluster.birdbath().withEtcd(e ->
                e.client().get(e.endpoint(e.members().get(2)), "/birdbath/test", false));
        assertThat(read).contains("written through member 1");
        assertThat(cluster.run(cluster.node(1), "stat -c %a:%U " + EtcdCluster.DATA_DIR)).isEqualTo("700:etcd");
        assertThat(cluster.run(cluster.node(1), "ss -Htln '( sport = :2379 )' | awk '{print $4}' | sort"))
                .as("clients only on localhost and the private address")
                .isEqualTo("127.0.0.1:2379\n" + cluster.birdbath().nodes().get(0).privateIp() + ":2379");
    }

    @Test
    @Order(2)
    void clientsWithoutTheClustersCertificateAreRefused() throws Exception {
        Pki pki = cluster.birdbath().pki();
        SSLContext none = TlsContexts.of(pki.etcdServerTrust(), null, null);
        CertificateAuthority other = CertificateAuthority.create("other");
        CertificateAuthority.Issued foreign = other.issue(new CertRequest("etcd-admin", "birdbath", List.of(),
                List.of(), false, true, CertRequest.TWO_YEARS));
        SSLContext otherCa = presentingAlways(foreign, pki);
        Map<String, Object> seen = cluster.birdbath().withEtcd(e -> {
            URI endpoint = e.endpoint(e.members().get(0));
            Map<String, Object> m = new java.util.HashMap<>();
            m.put("ours", e.client().healthy(endpoint));
            m.put("none", new EtcdClient(none, Duration.ofSeconds(5)).healthy(endpoint));
            m.put("other", new EtcdClient(otherCa, Duration.ofSeconds(5)).healthy(endpoint));
            m.put("http", plainHttp(URI.create("http://127.0.0.1:" + endpoint.getPort() + "/health")));
            return m;
        });
        assertThat(seen.get("ours")).isEqualTo(true);
        assertThat(seen.get("none")).as("no client certificate").isEqualTo(false);
        assertThat(seen.get("other")).as("a certificate from another CA").isEqualTo(false);
        assertThat((String) seen.get("http")).as("plain http").doesNotContain("\"health\":\"true\"")
                .matches("(?s)(400 Client sent an HTTP request to an HTTPS server.*|refused: .*)");
        // what the server logged for each refusal (journald may write it a moment later)
        for (String refusal : List.of("client didn't provide a certificate", "unknown authority")) {
            Poll.until("etcd to log '" + refusal + "'", Duration.ofSeconds(20), Duration.ofMillis(200),
                    () -> journal(1).contains(refusal));
        }
    }

    /**
     * etcd's clients are exactly birdbath's etcd-admin and kube-apiserver's etcd client: every node's certificate
     * (what each node holds for IPsec and etcd's peer side, a worker's alike: same CA, same kind) and another
     * certificate of the cluster CA (an app's server certificate) are refused; both intended clients are served;
     * and the peers, which present those node certificates to each other, still form the cluster.
     */
    @Test
    @Order(2)
    void onlyBirdbathsTwoClientsAreServedNotANodesCertificateNorAnotherOfTheClusterCa() throws Exception {
        Pki pki = cluster.birdbath().pki();
        Path d = pki.dir();
        Map<String, SSLContext> clients = new java.util.LinkedHashMap<>();
        for (Node n : cluster.birdbath().nodes()) {
            clients.put("node " + n.name(), presentingAlways(issued(d.resolve("nodes/" + n.name() + ".crt"),
                    d.resolve("nodes/" + n.name() + ".key")), pki));
        }
        Pki.ServiceTls app = pki.serviceTls("mosquitto", List.of("mqtt.example.com"));
        Path scratch = Files.createTempDirectory("etcd-app");
        Path appKey = Files.writeString(scratch.resolve("app.key"), app.keyPem().reveal());
        Path appCrt = Files.writeString(scratch.resolve("app.crt"), app.certificatePem());
        clients.put("an app's certificate", presentingAlways(issued(appCrt, appKey), pki));
        clients.put("kube-apiserver", TlsContexts.of(pki.etcdServerTrust(), d.resolve("clients/apiserver-etcd-client.crt"),
                d.resolve("clients/apiserver-etcd-client.key")));
        Map<String, Boolean> served = cluster.birdbath().withEtcd(e -> {
            Map<String, Boolean> m = new java.util.LinkedHashMap<>();
            for (Node member : e.members()) {
                URI endpoint = e.endpoint(member);
                m.put("birdbath via " + member.name(), e.client().healthy(endpoint));
                clients.forEach((who, tls) -> m.put(who + " via " + member.name(),
                        new EtcdClient(tls, Duration.ofSeconds(5)).healthy(endpoint)));
            }
            return m;
        });
        Files.delete(appKey);
        Files.delete(appCrt);
        Files.delete(scratch);
        served.forEach((who, ok) -> assertThat(ok).as(who).isEqualTo(who.startsWith("birdbath")
                || who.startsWith("kube-apiserver")));
        assertThat(served).hasSize(3 * (clients.size() + 1));
        assertThat(cluster.birdbath().etcdStatus()).hasSize(3).allSatisfy(st -> assertThat(st.healthy()).isTrue());
    }

    private static CertificateAuthority.Issued issued(Path crt, Path key) {
        return new CertificateAuthority.Issued(birdbath.pki.Pem.readCertificates(crt).get(0),
                birdbath.pki.Pem.readPrivateKey(key));
    }

    /**
     * A client that presents its certificate even though the server asks for one from the cluster CA (Java's
     * default key manager would send none, and the test would only repeat the no-certificate case).
     */
    private static SSLContext presentingAlways(CertificateAuthority.Issued cert, Pki pki) throws Exception {
        javax.net.ssl.X509ExtendedKeyManager km = new javax.net.ssl.X509ExtendedKeyManager() {
            public String[] getClientAliases(String type, java.security.Principal[] issuers) {
                return new String[] {"c"};
            }

            public String chooseClientAlias(String[] type, java.security.Principal[] issuers, java.net.Socket s) {
                return "c";
            }

            public String chooseEngineClientAlias(String[] type, java.security.Principal[] issuers,
                                                  javax.net.ssl.SSLEngine e) {
                return "c";
            }

            public String[] getServerAliases(String type, java.security.Principal[] issuers) {
                return null;
            }

            public String chooseServerAlias(String type, java.security.Principal[] issuers, java.net.Socket s) {
                return null;
            }

            public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
                return new java.security.cert.X509Certificate[] {cert.certificate()};
            }

            public java.security.PrivateKey getPrivateKey(String alias) {
                return cert.key();
            }
        };
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (java.security.cert.X509Certificate ca : pki.etcdServerTrust()) {
            trust.setCertificateEntry("ca-" + i++, ca);
        }
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new javax.net.ssl.KeyManager[] {km}, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static String plainHttp(URI uri) {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return "refused: " + e;
        }
    }

    @Test
    @Order(3)
    void withOneMemberStoppedWritesGoOnAndItCatchesUpWhenStarted() {
        cluster.run(cluster.node(3), "systemctl stop " + EtcdCluster.UNIT);
        try {
            put(1, "/birdbath/while-3-was-down", "yes");
            assertThat(cluster.birdbath().check(List.of("etcd")))
                    .filteredOn(r -> r.node().equals(cluster.node(3)) && r.probe().equals("healthy"))
                    .singleElement().satisfies(r -> assertThat(r.ok()).isFalse());
        } finally {
            cluster.run(cluster.node(3), "systemctl start --no-block " + EtcdCluster.UNIT);
        }
        Poll.until("member 3 to catch up", CATCH_UP, Duration.ofMillis(200),
                () -> localRead(3, "/birdbath/while-3-was-down").isPresent());
        assertThat(localRead(3, "/birdbath/while-3-was-down")).contains("yes");
    }

    @Test
    @Order(4)
    void aSecondUpRestartsNoMember() {
        List<String> before = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            before.add(pid(n));
        }
        cluster.output.clear();
        cluster.birdbath().up(List.of(), null, false);
        assertThat(cluster.output).filteredOn(l -> l.contains(" etcd ")).hasSize(3)
                .allMatch(l -> l.contains("changed=0"));
        for (int n = 1; n <= 3; n++) {
            assertThat(pid(n)).isEqualTo(before.get(n - 1));
        }
    }

    @Test
    @Order(5)
    void aRebuiltMemberIsReplacedByUp() {
        String oldId = cluster.birdbath().etcdStatus().get(2).id();
        // what a rebuilt node looks like to etcd: same name and address, no data
        cluster.run(cluster.node(3), "systemctl stop " + EtcdCluster.UNIT + " && rm -rf " + EtcdCluster.DATA_DIR);
        cluster.output.clear();
        cluster.birdbath().up(List.of("etcd"), null, false);
        assertThat(cluster.output).anyMatch(l -> l.contains("removed its old member " + EtcdClient.hexId(oldId)))
                .anyMatch(l -> l.contains("joined the running cluster"));
        assertThat(cluster.birdbath().etcdStatus().get(2).id()).isNotEqualTo(oldId);
        assertThat(cluster.birdbath().check(List.of("etcd"))).allSatisfy(r -> assertThat(r.ok()).as(r.toString())
                .isTrue());
        Poll.until("the new member 3 to hold the data", CATCH_UP, Duration.ofMillis(200),
                () -> localRead(3, "/birdbath/test").isPresent());
    }

    @Test
    @Order(6)
    void snapshotWipeAllDataDirsAndRestoreBringsTheKeysBack(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        put(2, "/birdbath/before-snapshot", "kept");
        Path snapshot = tmp.resolve("etcd.db");
        assertThat(cluster.birdbath().etcdSnapshot(snapshot)).isPositive();
        assertThat(Files.getPosixFilePermissions(snapshot)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        for (int n = 1; n <= 3; n++) {
            cluster.run(cluster.node(n), "systemctl stop " + EtcdCluster.UNIT + " && rm -rf " + EtcdCluster.DATA_DIR);
        }
        Map<String, String> kept = cluster.birdbath().etcdRestore(snapshot);
        assertThat(kept).hasSize(3);
        for (int n = 1; n <= 3; n++) {
            int member = n;
            Poll.until("member " + n + " to serve the restored data", CATCH_UP, Duration.ofMillis(200),
                    () -> localRead(member, "/birdbath/before-snapshot").isPresent());
        }
        assertThat(localRead(1, "/birdbath/test")).contains("written through member 1");
        assertThat(cluster.birdbath().check(List.of("etcd"))).allSatisfy(r -> assertThat(r.ok()).as(r.toString())
                .isTrue());
    }

    @Test
    @Order(7)
    void aFileThatIsNoSnapshotIsRefusedBeforeAnythingStops(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        String before = pid(1);
        Path junk = tmp.resolve("junk.db");
        Files.writeString(junk, "not an etcd snapshot\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cluster.birdbath().etcdRestore(junk))
                .hasMessageContaining("junk.db is not a usable etcd snapshot (nothing was stopped)");
        assertThat(pid(1)).isEqualTo(before);
        assertThat(cluster.birdbath().nodes()).extracting(Node::name).hasSize(3);
    }

    /**
     * etcd.version raised on a running cluster (Debian 12's 3.4.23 to a 3.5 release tarball, repacked from a newer
     * Debian suite's package and served from the host's bridge address): every member gets the new binary and is
     * restarted one at a time, each healthy before the next (sampled throughout: never two members down), with
     * its data kept; a second run restarts nothing.
     */
    @Test
    @Order(8)
    void raisingEtcdVersionRestartsMembersOneAtATimeOnTheNewReleaseWithTheirData() throws Exception {
        DebianEtcdRelease release = DebianEtcdRelease.of("trixie");
        assertThat(release.version()).startsWith("3.5.");
        byte[] bytes = Files.readAllBytes(release.tarball());
        put(1, "/birdbath/before-upgrade", "kept");
        assertThat(versions()).containsOnly("3.4.23");
        String nodeIp = cluster.birdbath().nodes().get(0).privateIp();
        HttpServer server = HttpServer.create(new InetSocketAddress(nodeIp.substring(0, nodeIp.lastIndexOf('.'))
                + ".1", 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        String base = Files.readString(cluster.config);
        try {
            Files.writeString(cluster.config, base + "etcd:\n  version: " + release.version() + "\n  sha256: "
                    + Hashes.sha256Hex(bytes) + "\n  download_url: http://" + server.getAddress().getHostString()
                    + ":" + server.getAddress().getPort() + "/etcd-v{VERSION}-linux-amd64.tar.gz\n");
            cluster.output.clear();
            int[] mostDown = {0};
            int[] samples = {0};
            cluster.birdbath().withEtcd(e -> {
                AtomicBoolean done = new AtomicBoolean();
                Thread sampler = new Thread(() -> {
                    EtcdClient quick = e.client();
                    while (!done.get()) {
                        // down = not answering at all (/health is false on every member during an election)
                        int down = (int) e.members().stream().filter(m -> !answers(quick, e.endpoint(m))).count();
                        mostDown[0] = Math.max(mostDown[0], down);
                        samples[0]++;
                    }
                });
                sampler.start();
                try {
                    cluster.birdbath().up(List.of("etcd"), null, false);
                } finally {
                    done.set(true);
                    try {
                        sampler.join(30_000);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
                return null;
            });
            assertThat(cluster.output).filteredOn(l -> l.contains("restarted")).hasSize(3);
            assertThat(samples[0]).as("health samples during the upgrade").isGreaterThan(10);
            assertThat(mostDown[0]).as("members down at once").isLessThanOrEqualTo(1);
            assertThat(versions()).containsOnly(release.version());
            for (int member = 1; member <= 3; member++) {
                int m = member;
                Poll.until("member " + m + " to serve the old key", CATCH_UP, Duration.ofMillis(200),
                        () -> localRead(m, "/birdbath/before-upgrade").isPresent());
            }
            assertThat(cluster.birdbath().check(List.of("etcd"))).allSatisfy(r -> assertThat(r.ok())
                    .as(r.toString()).isTrue());
            cluster.output.clear();
            cluster.birdbath().up(List.of("etcd"), null, false);
            assertThat(cluster.output).noneMatch(l -> l.contains("restarted"));
        } finally {
            server.stop(0);
            Files.writeString(cluster.config, base);
        }
    }

    private static boolean answers(EtcdClient client, URI endpoint) {
        try {
            client.status(endpoint);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private List<String> versions() {
        return cluster.birdbath().withEtcd(e -> e.members().stream()
                .map(m -> e.client().status(e.endpoint(m)).version()).toList());
    }

    /**
     * The kubernetes stage runs `kubeadm init` only while etcd holds no Kubernetes cluster: once keys are under
     * /registry/, with no control-plane node running it refuses in one clear line, and with one running the others
     * (the first included, when it was rebuilt) join through it. Counted on the real members, over mutual TLS.
     */
    @Test
    @Order(9)
    void kubeadmInitIsRefusedOnceEtcdHoldsAClusterAndTheJoinPathIsTaken() {
        List<Node> nodes = cluster.birdbath().nodes();
        assertThat(registryKeys(1)).isZero();
        assertThat(ControlPlaneStart.decide(registryKeys(1) > 0, List.of(), nodes)).isEqualTo(
                new ControlPlaneStart(true, nodes.get(0)));
        put(2, "/registry/namespaces/default", "{}");
        put(3, "/registry/pods/default/web", "{}");
        put(1, "/registryz", "beside the prefix, not under it");
        assertThat(registryKeys(1)).isEqualTo(2);
        boolean holds = registryKeys(2) > 0;
        assertThatThrownBy(() -> ControlPlaneStart.decide(holds, List.of(), nodes))
                .hasMessageStartingWith("kubernetes: etcd holds a Kubernetes cluster (keys under /registry/) but no"
                        + " control-plane node has /etc/kubernetes/admin.conf, so none runs it: birdbath does not run"
                        + " `kubeadm init` over a cluster's data.");
        assertThat(ControlPlaneStart.decide(holds, List.of(nodes.get(1)), nodes)).isEqualTo(
                new ControlPlaneStart(false, nodes.get(1)));
    }

    /**
     * A cluster from before etcd's clients had a CA of their own (members trusting the cluster CA for clients,
     * birdbath's and kube-apiserver's client certificates from the cluster CA) converges with one `up`: the old
     * client certificates are kept aside while members move one at a time, every key survives, and afterwards
     * the old certificates are gone and a node's certificate is refused.
     */
    @Test
    @Order(10)
    void aClusterOfTheOldSchemeMovesToTheClientsCaWithItsDataInOneUp() throws Exception {
        put(1, "/birdbath/migration", "kept");
        Pki pki = cluster.birdbath().pki();
        Path d = pki.dir();
        // the old scheme: no clients' CA, the two clients from the cluster CA, members trusting that for clients
        CertificateAuthority ca = pki.ca();
        for (String[] client : new String[][] {{"etcd-admin", "etcd-admin", "birdbath"},
                {"apiserver-etcd-client", "kube-apiserver-etcd-client", "system:masters"}}) {
            CertificateAuthority.Issued old = ca.issue(new CertRequest(client[1], client[2], List.of(), List.of(),
                    false, true, CertRequest.TWO_YEARS));
            birdbath.pki.Pem.writePrivateKey(d.resolve("clients/" + client[0] + ".key"), old.key());
            birdbath.pki.Pem.writeCertificates(d.resolve("clients/" + client[0] + ".crt"), List.of(old.certificate()));
        }
        for (String gone : List.of("etcd-clients", "etcd-servers")) {
            try (var files = Files.walk(d.resolve(gone))) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
        String pkiDir = EtcdCluster.PKI_DIR;
        for (int n = 1; n <= 3; n++) {
            cluster.run(cluster.node(n), "sed -i -e 's#^ETCD_TRUSTED_CA_FILE=.*#ETCD_TRUSTED_CA_FILE=" + pkiDir
                    + "/ca.crt#' -e 's#^ETCD_CERT_FILE=.*#ETCD_CERT_FILE=" + pkiDir + "/node.crt#' -e"
                    + " 's#^ETCD_KEY_FILE=.*#ETCD_KEY_FILE=" + pkiDir + "/node.key#' " + EtcdStage.ENV + " && rm -f "
                    + pkiDir + "/" + Pki.ETCD_CLIENTS_CA_FILE + " " + pkiDir + "/server.crt " + pkiDir + "/server.key"
                    + " && systemctl restart " + EtcdCluster.UNIT);
        }
        Poll.until("the old-scheme members to answer birdbath's old certificate", Duration.ofSeconds(60),
                Duration.ofMillis(500), () -> cluster.birdbath().etcdStatus().stream().allMatch(
                        EtcdOperations.MemberStatus::healthy));

        cluster.output.clear();
        cluster.birdbath().up(List.of("pki", "etcd"), null, false);
        assertThat(cluster.output).anyMatch(l -> l.contains("legacy client certificates removed"));
        assertThat(d.resolve("clients/etcd-admin-legacy.crt")).doesNotExist();
        for (int via = 1; via <= 3; via++) {
            assertThat(localRead(via, "/birdbath/migration")).as("member " + via).contains("kept");
        }
        Node first = cluster.birdbath().nodes().get(0);
        SSLContext node = presentingAlways(issued(d.resolve("nodes/" + first.name() + ".crt"),
                d.resolve("nodes/" + first.name() + ".key")), pki);
        boolean nodeServed = cluster.birdbath().withEtcd(e -> new EtcdClient(node, Duration.ofSeconds(5))
                .healthy(e.endpoint(first)));
        assertThat(nodeServed).as("a node's certificate after the move").isFalse();
        assertThat(cluster.birdbath().check(List.of("etcd"))).allSatisfy(r -> assertThat(r.ok()).as(r.toString())
                .isTrue());
    }

    /**
     * backups on: every member's timer waits for the schedule as systemd itself reads it; the snapshot its service
     * takes (started here as the timer would start it) is 0600 and the etcd user's in a 0700 directory, and only
     * the newest backups.keep stay, and what a killed run left is never listed and gone after the next; `backup
     * list` shows every member's, `backup fetch` brings the newest home
     * (0600) and `etcd restore` takes it: a key written before it is back, one written after is not. Snapshots
     * three days old fail check until the next is taken. Turned off, the timers go and the snapshots stay.
     */
    @Test
    @Order(11)
    void scheduledSnapshotsAreKeptListedFetchedAndRestorable(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        String base = Files.readString(cluster.config);
        Files.writeString(cluster.config, base + "backups:\n  schedule: \"07:30\"\n  keep: 2\n");
        cluster.birdbath().up(List.of("backups"), null, false);
        String timer = "birdbath-backup-etcd.timer";
        String dir = birdbath.stage.backup.BackupStage.ETCD_DIR;
        for (int n = 1; n <= 3; n++) {
            assertThat(cluster.run(cluster.node(n), "systemctl show -p TimersCalendar -p ActiveState -p UnitFileState"
                    + " -p NextElapseUSecRealtime " + timer)).as("node " + n)
                    .contains("OnCalendar=*-*-* 07:30:00 UTC", "ActiveState=active", "UnitFileState=enabled")
                    .containsPattern("NextElapseUSecRealtime=\\S+ \\d{4}-\\d\\d-\\d\\d 07:30:00 UTC");
        }
        put(1, "/birdbath/in-backup", "kept");
        // what a run killed during etcdctl's write (.partial.part) or before the rename (.partial) leaves, dated
        // ahead so that, if they counted, the new snapshot would not be the newest: never listed, removed next run
        for (int n = 1; n <= 3; n++) {
            String left = dir + "/etcd-" + cluster.node(n) + "-20991231T000000.000Z.db.partial";
            cluster.run(cluster.node(n), "install -o etcd -m 600 /dev/null " + left + " && install -o etcd -m 600"
                    + " /dev/null " + left + ".part");
        }
        assertThat(cluster.birdbath().backupList()).as("leftovers of killed runs").isEmpty();
        for (int round = 1; round <= 3; round++) {
            for (int n = 1; n <= 3; n++) {
                cluster.run(cluster.node(n), "systemctl start birdbath-backup-etcd.service");
            }
        }
        for (int n = 1; n <= 3; n++) {
            assertThat(cluster.run(cluster.node(n), "stat -c '%a %U' " + dir + "; cd " + dir + " && stat -c '%a %U %n' *"))
                    .as("node " + n + ": the newest two kept").matches("700 etcd\n600 etcd etcd-" + cluster.node(n)
                            + "-\\d{8}T\\d{6}\\.\\d{3}Z\\.db\n600 etcd etcd-" + cluster.node(n)
                            + "-\\d{8}T\\d{6}\\.\\d{3}Z\\.db");
        }
        List<birdbath.stage.backup.BackupStore.Backup> listed = cluster.birdbath().backupList();
        assertThat(listed).hasSize(6).allSatisfy(b -> assertThat(b.kind()).isEqualTo("etcd"));
        assertThat(listed).extracting(birdbath.stage.backup.BackupStore.Backup::node).containsOnly(cluster.node(1),
                cluster.node(2), cluster.node(3));
        List<birdbath.stage.backup.BackupStore.Fetched> fetched = cluster.birdbath().backupFetch(List.of(), tmp);
        assertThat(fetched).hasSize(1);
        assertThat(fetched.get(0).backup()).isEqualTo(listed.get(5));
        Path file = fetched.get(0).file();
        assertThat(Files.size(file)).isEqualTo(listed.get(5).bytes()).isPositive();
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(cluster.birdbath().check(List.of("backups"))).hasSize(3 * 2 + 3)
                .allSatisfy(r -> assertThat(r.ok()).as(r.toString()).isTrue());

        put(2, "/birdbath/after-backup", "not in the snapshot");
        cluster.birdbath().etcdRestore(file);
        for (int n = 1; n <= 3; n++) {
            int member = n;
            Poll.until("member " + n + " to serve the restored data", CATCH_UP, Duration.ofMillis(200),
                    () -> localRead(member, "/birdbath/in-backup").isPresent());
            assertThat(localRead(n, "/birdbath/after-backup")).as("member " + n).isEmpty();
        }

        // a member whose timer stopped taking snapshots: check says how old the newest is, until one is taken
        for (int n = 1; n <= 3; n++) {
            cluster.run(cluster.node(n), "touch -d '3 days ago' " + dir + "/*.db");
        }
        assertThat(cluster.birdbath().check(List.of("backups"))).filteredOn(r -> !r.ok()).hasSize(3)
                .allSatisfy(r -> assertThat(r.toString()).contains("last snapshot", "the newest snapshot is 72 hours"
                        + " old (backups.schedule: 07:30)"));
        for (int n = 1; n <= 3; n++) {
            cluster.run(cluster.node(n), "systemctl start birdbath-backup-etcd.service");
        }
        assertThat(cluster.birdbath().check(List.of("backups"))).allSatisfy(r -> assertThat(r.ok()).as(r.toString())
                .isTrue());

        Files.writeString(cluster.config, base);
        cluster.output.clear();
        cluster.birdbath().up(List.of("backups"), null, false);
        assertThat(cluster.output).anyMatch(l -> l.contains(cluster.node(3)) && l.contains("snapshot timer removed"));
        for (int n = 1; n <= 3; n++) {
            assertThat(cluster.run(cluster.node(n), "systemctl is-enabled " + timer + " 2>&1; ls " + dir + " | wc -l"))
                    .as("node " + n).endsWith("\n2").doesNotStartWith("enabled");
        }
    }

    private long registryKeys(int via) {
        return cluster.birdbath().withEtcd(e -> e.client().count(e.endpoint(e.members().get(via - 1)),
                ControlPlaneStart.REGISTRY));
    }
}
