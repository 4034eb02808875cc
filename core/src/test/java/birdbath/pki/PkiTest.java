package birdbath.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.config.ClusterSpec.Role;
import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.host.Host;
import birdbath.provider.Node;
import birdbath.testkit.TestHost;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster PKI, checked with the real openssl and a real TLS handshake. */
class PkiTest {

    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ClusterSpec spec;
    private List<Node> nodes;

    @BeforeEach
    void cluster() throws IOException {
        Path config = dir.resolve("birdbath.yaml");
        Files.writeString(config, "provider: local\ncluster:\n  name: pk\n  nodes: 3\n");
        spec = new ConfigLoader(Map.of()).load(config, w -> { });
        nodes = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            nodes.add(node(n, "198.18.7." + (10 + n), "203.0.113." + n));
        }
    }

    private Node node(int n, String privateIp, String publicIp) {
        return new Node("pk-" + n, n, Set.of(Role.WORKER), publicIp, privateIp, "pk-" + n + ".birdbath.test", null,
                new Node.Ssh(publicIp, 22, "root"), "test");
    }

    private String openssl(String... args) {
        TestHost.requireProgram("openssl");
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Host.Result r = Host.run(T, null, cmd);
        assertThat(r.exit()).as(String.join(" ", cmd) + "\n" + r.out() + r.err()).isZero();
        return r.out() + r.err();
    }

    /** Whether openssl refuses (exits non-zero), e.g. a verification that must not pass. */
    private boolean opensslFails(String... args) {
        TestHost.requireProgram("openssl");
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        return !Host.run(T, null, cmd).ok();
    }

    private Map<String, byte[]> snapshot(Path pki) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(pki)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(pki.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    @Test
    void everyIssuedCertificateVerifiesAndSaysWhatItShould() {
        Pki pki = new Pki(spec);
        Map<String, String> actions = pki.issue(nodes, false);
        assertThat(actions).hasSize(6).allSatisfy((k, v) -> assertThat(v).isEqualTo("issued (missing)"));
        Path d = pki.dir();
        for (String cert : List.of("nodes/pk-1", "nodes/pk-2", "nodes/pk-3")) {
            assertThat(openssl("verify", "-CAfile", d.resolve("ca-bundle.crt").toString(),
                    d.resolve(cert + ".crt").toString())).contains(": OK");
        }
        // etcd's two clients come from their own CA, which signs nothing else: what etcd trusts for clients
        for (String cert : List.of("clients/etcd-admin", "clients/apiserver-etcd-client")) {
            assertThat(openssl("verify", "-CAfile", d.resolve("etcd-clients/ca.crt").toString(),
                    d.resolve(cert + ".crt").toString())).contains(": OK");
        }
        assertThat(opensslFails("verify", "-CAfile", d.resolve("etcd-clients/ca.crt").toString(),
                d.resolve("nodes/pk-1.crt").toString())).as("a node is no etcd client").isTrue();
        String ca = openssl("x509", "-in", d.resolve("ca.crt").toString(), "-noout", "-text");
        assertThat(ca).contains("CA:TRUE, pathlen:1", "Certificate Sign, CRL Sign", "ASN1 OID: prime256v1");
        String node = openssl("x509", "-in", d.resolve("nodes/pk-2.crt").toString(), "-noout", "-text");
        assertThat(node).contains("Subject: O = birdbath, CN = pk-2", "CA:FALSE", "Digital Signature, Key Encipherment",
                "TLS Web Server Authentication, TLS Web Client Authentication",
                "DNS:pk-2, DNS:pk-2.birdbath.test, IP Address:198.18.7.12, IP Address:203.0.113.2, IP Address:127.0.0.1");
        String client = openssl("x509", "-in", d.resolve("clients/apiserver-etcd-client.crt").toString(), "-noout",
                "-text");
        assertThat(client).contains("O = system:masters, CN = kube-apiserver-etcd-client", "TLS Web Client Authentication")
                .doesNotContain("TLS Web Server Authentication");
    }

    @Test
    void secondRunChangesNoFileAndAnAddressChangeReissuesOnlyThatNode() throws IOException {
        Pki pki = new Pki(spec);
        pki.issue(nodes, false);
        Map<String, byte[]> before = snapshot(pki.dir());
        assertThat(pki.issue(nodes, false)).allSatisfy((k, v) -> assertThat(v).isEqualTo("ok"));
        assertThat(snapshot(pki.dir())).usingRecursiveComparison().isEqualTo(before);

        nodes.set(1, node(2, "198.18.7.99", "203.0.113.2"));
        Map<String, String> actions = pki.issue(nodes, false);
        assertThat(actions).containsEntry("nodes/pk-2", "issued (san-mismatch)");
        actions.forEach((k, v) -> assertThat(v).as(k).isEqualTo(k.equals("nodes/pk-2") ? "issued (san-mismatch)" : "ok"));
        Map<String, byte[]> after = snapshot(pki.dir());
        for (String file : before.keySet()) {
            if (file.startsWith("nodes/pk-2.")) {
                assertThat(after.get(file)).as(file).isNotEqualTo(before.get(file));
            } else {
                assertThat(after.get(file)).as(file).isEqualTo(before.get(file));
            }
        }
        assertThat(pki.issue(nodes, true)).containsEntry("nodes/pk-1", "issued (rotated)")
                .containsEntry("clients/etcd-admin", "ok");
    }

    @Test
    void keysAre0600AndNeverInWhatIsPrinted() throws IOException {
        Pki pki = new Pki(spec);
        Map<String, String> actions = pki.issue(nodes, false);
        try (Stream<Path> s = Files.walk(pki.dir())) {
            for (Path key : s.filter(p -> p.toString().endsWith(".key")).toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).as(key.toString())
                        .isEqualTo("rw-------");
                String body = Files.readString(key).lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
                assertThat(actions.toString()).doesNotContain(body);
                assertThat(pki.list(nodes).toString()).doesNotContain(body).doesNotContain("PRIVATE");
            }
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.dir()))).isEqualTo("rwx------");
    }

    @Test
    void worksWithAnImportedRootAndIntermediateMadeByOpenssl() throws IOException {
        Path ca = Files.createDirectories(dir.resolve("myca"));
        String root = ca.resolve("root").toString();
        String inter = ca.resolve("intermediate").toString();
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                root + ".key", "-out", root + ".crt", "-days", "3650", "-subj", "/O=Home/CN=Home Root CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", inter + ".key",
                "-out", inter + ".csr", "-subj", "/O=Home/CN=Home Intermediate CA");
        Files.writeString(ca.resolve("ext.cnf"), "basicConstraints=critical,CA:TRUE,pathlen:0\n"
                + "keyUsage=critical,keyCertSign,cRLSign\n");
        openssl("x509", "-req", "-in", inter + ".csr", "-CA", root + ".crt", "-CAkey", root + ".key",
                "-CAcreateserial", "-out", inter + ".crt", "-days", "1825", "-extfile", ca.resolve("ext.cnf").toString());

        Pki pki = new Pki(spec);
        pki.issue(nodes, false);
        pki.importCa(Path.of(inter + ".crt"), Path.of(inter + ".key"), Path.of(root + ".crt"));
        Map<String, String> actions = pki.issue(nodes, false);
        // the nodes' certificates follow the imported CA; etcd's clients keep their own CA
        assertThat(actions).allSatisfy((k, v) -> assertThat(v).isEqualTo(k.startsWith("clients/") ? "ok"
                : "issued (wrong-ca)"));
        Path d = pki.dir();
        for (String cert : List.of("nodes/pk-1")) {
            Path file = d.resolve(cert + ".crt");
            assertThat(openssl("verify", "-CAfile", d.resolve("ca-bundle.crt").toString(), file.toString()))
                    .contains(": OK");
            // a peer that trusts only the root builds the path from the intermediate sent along
            assertThat(openssl("verify", "-CAfile", root + ".crt", "-untrusted", file.toString(), file.toString()))
                    .contains(": OK");
        }
        assertThat(pki.list(nodes)).allSatisfy(r -> assertThat(r.status()).isEqualTo(Pki.Status.OK));
    }

    @Test
    void refusesWhatCannotBeACa() throws Exception {
        Pki pki = new Pki(spec);
        pki.issue(nodes, false);
        Path d = pki.dir();
        assertThatThrownBy(() -> pki.importCa(d.resolve("nodes/pk-1.crt"), d.resolve("nodes/pk-1.key"), null))
                .hasMessageContaining("nodes/pk-1.crt: 'CN=pk-1,O=birdbath' is not a CA certificate");
        assertThatThrownBy(() -> pki.importCa(d.resolve("ca.crt"), d.resolve("nodes/pk-1.key"), null))
                .hasMessageContaining("nodes/pk-1.key: this private key does not belong to the certificate in");
        assertThatThrownBy(() -> pki.importCa(dir.resolve("nope.crt"), d.resolve("ca.key"), null))
                .hasMessageEndingWith("nope.crt: no such file");
        Path garbage = Files.writeString(dir.resolve("garbage.crt"), "hello\n");
        assertThatThrownBy(() -> pki.importCa(garbage, d.resolve("ca.key"), null))
                .hasMessageContaining("garbage.crt: no PEM certificate in it");
        expiredCa(dir.resolve("old.crt"), dir.resolve("old.key"));
        assertThatThrownBy(() -> pki.importCa(dir.resolve("old.crt"), dir.resolve("old.key"), null))
                .hasMessageContaining("old.crt: 'CN=Old CA' expired on 2020-01-02");
    }

    /**
     * A TLS server as etcd runs now (a node's certificate; clients only from the etcd clients' CA) accepts
     * birdbath's two clients and refuses a node's certificate and another cluster's client; a server as etcd ran
     * before (clients from the cluster CA) gets, from one context holding both identities, the one it asks for:
     * how birdbath speaks to members not yet moved while the legacy certificate is kept.
     */
    @Test
    void etcdsClientsAreOnlyTheClientsCasAndOneContextAnswersOldAndNewServers() throws Exception {
        Pki pki = new Pki(spec);
        pki.issue(nodes, false);
        Path d = pki.dir();
        Path clientsCa = d.resolve("etcd-clients/ca.crt");
        SSLContext server = context(d.resolve("nodes/pk-1.crt"), d.resolve("nodes/pk-1.key"), clientsCa);
        SSLContext ours = context(d.resolve("clients/etcd-admin.crt"), d.resolve("clients/etcd-admin.key"),
                d.resolve("ca-bundle.crt"));
        SSLContext apiserver = context(d.resolve("clients/apiserver-etcd-client.crt"),
                d.resolve("clients/apiserver-etcd-client.key"), d.resolve("ca-bundle.crt"));
        SSLContext node = context(d.resolve("nodes/pk-2.crt"), d.resolve("nodes/pk-2.key"), d.resolve("ca-bundle.crt"));
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("birdbath.yaml"), "provider: local\ncluster:\n  name: other\n  nodes: 1\n");
        Pki otherPki = new Pki(new ConfigLoader(Map.of()).load(other.resolve("birdbath.yaml"), w -> { }));
        otherPki.issue(List.of(nodes.get(0)), false);
        SSLContext theirs = context(otherPki.dir().resolve("clients/etcd-admin.crt"),
                otherPki.dir().resolve("clients/etcd-admin.key"), d.resolve("ca-bundle.crt"));

        assertThat(handshake(server, ours)).isEqualTo("accepted CN=etcd-admin,O=birdbath");
        assertThat(handshake(server, apiserver)).isEqualTo("accepted CN=kube-apiserver-etcd-client,O=system:masters");
        assertThat(handshake(server, node)).as("a node's certificate").startsWith("refused");
        assertThat(handshake(server, theirs)).as("another cluster's client").startsWith("refused");

        SSLContext both = TlsContexts.of(pki.bundle(), List.of(new Path[] {d.resolve("clients/etcd-admin.crt"),
                d.resolve("clients/etcd-admin.key")}, new Path[] {d.resolve("nodes/pk-2.crt"),
                d.resolve("nodes/pk-2.key")}));
        SSLContext oldServer = context(d.resolve("nodes/pk-1.crt"), d.resolve("nodes/pk-1.key"),
                d.resolve("ca-bundle.crt"));
        assertThat(handshake(server, both)).isEqualTo("accepted CN=etcd-admin,O=birdbath");
        assertThat(handshake(oldServer, both)).isEqualTo("accepted CN=pk-2,O=birdbath");
    }

    /** A CA valid only on 2020-01-01 (openssl 3.0 cannot backdate a certificate). */
    private static void expiredCa(Path cert, Path key) throws Exception {
        java.security.KeyPair pair = CertificateAuthority.newKeyPair();
        org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=Old CA");
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.TEN,
                java.util.Date.from(java.time.Instant.parse("2020-01-01T00:00:00Z")),
                java.util.Date.from(java.time.Instant.parse("2020-01-02T00:00:00Z")), name, pair.getPublic())
                .addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
                        new org.bouncycastle.asn1.x509.BasicConstraints(true));
        X509Certificate c = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(builder.build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        Pem.writeCertificates(cert, List.of(c));
        Pem.writePrivateKey(key, pair.getPrivate());
    }

    private static SSLContext context(Path cert, Path key, Path trusted) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        PrivateKey k = Pem.readPrivateKey(key);
        ks.setKeyEntry("me", k, new char[0], Pem.readCertificates(cert).toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int i = 0;
        for (X509Certificate c : Pem.readCertificates(trusted)) {
            ts.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** One TLS connection on loopback; the server requires a client certificate and says whom it accepted. */
    private static String handshake(SSLContext server, SSLContext client) throws Exception {
        try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            ss.setNeedClientAuth(true);
            CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    String peer = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                            .getName();
                    s.getOutputStream().write(1);
                    return "accepted " + peer;
                } catch (IOException e) {
                    return "refused: " + e.getMessage();
                }
            });
            try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket(ss.getInetAddress(),
                    ss.getLocalPort())) {
                c.setSoTimeout(10_000);
                c.startHandshake();
                InputStream in = c.getInputStream();
                in.read();
            } catch (IOException e) {
                // the server's verdict is what counts
            }
            return accepted.get(20, TimeUnit.SECONDS);
        }
    }
}
