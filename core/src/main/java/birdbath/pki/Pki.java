package birdbath.pki;

import birdbath.BirdbathException;
import birdbath.config.ClusterSpec;
import birdbath.provider.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's certificates in .birdbath/pki/: the CA (ca.crt, ca.key, and ca-bundle.crt, the chain nodes
 * trust), a certificate per node (nodes/NAME.crt with its key) and the client certificates etcd-admin (for
 * birdbath) and apiserver-etcd-client (for kube-apiserver). Those two come from a CA of etcd's client side
 * (etcd-clients/ca.crt, a root apart from the cluster CA, so that `pki import` of any CA leaves it be), which
 * signs nothing else but each member's certificate for its client port (etcd-servers/NAME: etcd's own JSON
 * gateway presents it back to its gRPC server as a client): etcd trusts only that CA for clients, so no node
 * certificate, a worker's included, nor any other certificate of the cluster CA, is an etcd client
 * (docs/SECURITY.md). Re-running issues nothing new unless a certificate is missing, its SANs changed, it
 * expires within 30 days, or it was signed by another CA.
 */
public final class Pki {

    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    /** etcd's client-side CA: it signs etcd's two clients and its members' client-port certificates, nothing else. */
    static final String ETCD_CLIENTS_CA = "etcd-clients/ca";
    /** etcd's only clients, by file name under clients/. */
    static final List<String> ETCD_CLIENTS = List.of("etcd-admin", "apiserver-etcd-client");
    /** The file name of its certificate on etcd's members: their only trust anchor for clients. */
    public static final String ETCD_CLIENTS_CA_FILE = "etcd-clients-ca.crt";
    /** A member's certificate and key for its client port, on the member. */
    public static final String ETCD_SERVER_CERT = "server.crt";
    public static final String ETCD_SERVER_KEY = "server.key";

    /** A certificate's state, as `pki list` shows it. */
    public enum Status { OK, EXPIRING, WRONG_CA, SAN_MISMATCH, MISSING }

    /** One certificate in `pki list`. */
    public record Row(String name, String subject, List<String> sans, String issuer, Instant notAfter, long daysLeft,
                      Status status) { }

    private final ClusterSpec spec;
    private final Path dir;

    public Pki(ClusterSpec spec) {
        this.spec = spec;
        this.dir = birdbath.state.StateDir.of(spec).pki();
    }

    public Path dir() {
        return dir;
    }

    public boolean hasCa() {
        return Files.exists(dir.resolve("ca.crt")) && Files.exists(dir.resolve("ca.key"));
    }

    public CertificateAuthority ca() {
        if (!hasCa()) {
            throw new BirdbathException("no cluster CA in " + dir + ": run `birdbath pki init` (or `pki import`)");
        }
        return CertificateAuthority.load(dir.resolve("ca.crt"), dir.resolve("ca.key"), dir.resolve("ca-bundle.crt"));
    }

    /** Creates birdbath's own CA; refuses to replace one that exists. */
    public CertificateAuthority init() {
        if (hasCa()) {
            throw new BirdbathException(dir.resolve("ca.crt") + " already exists; the cluster has its CA (`pki list`"
                    + " shows it). To use another, `pki import` it.");
        }
        return save(CertificateAuthority.create(spec.name()));
    }

    /** Uses the user's CA or intermediate from now on; certificates from the old CA are reissued next time. */
    public CertificateAuthority importCa(Path cert, Path key, Path chain) {
        return save(CertificateAuthority.load(cert, key, chain));
    }

    private CertificateAuthority save(CertificateAuthority ca) {
        Pem.writePrivateKey(dir.resolve("ca.key"), ca.key());
        Pem.writeCertificates(dir.resolve("ca.crt"), List.of(ca.certificate()));
        Pem.writeCertificates(dir.resolve("ca-bundle.crt"), ca.chain());
        return ca;
    }

    /** What each certificate of the cluster must say, by file name (nodes/NAME, clients/NAME). */
    Map<String, CertRequest> wanted(List<Node> nodes) {
        Map<String, CertRequest> out = new LinkedHashMap<>();
        for (Node n : nodes) {
            List<String> ips = new ArrayList<>(List.of(n.privateIp()));
            if (n.publicIp() != null && !n.publicIp().equals(n.privateIp())) {
                ips.add(n.publicIp());
            }
            ips.add("127.0.0.1");
            out.put("nodes/" + n.name(), new CertRequest(n.name(), "birdbath", List.of(n.name(), n.fqdn()), ips,
                    true, true, CertRequest.TWO_YEARS));
            if (n.roles().contains(birdbath.config.ClusterSpec.Role.ETCD)) {
                out.put(ETCD_SERVERS + n.name(), new CertRequest(n.name(), "birdbath", List.of(n.name(),
                        n.fqdn()), List.of(n.privateIp(), "127.0.0.1"), true, true, CertRequest.TWO_YEARS));
            }
        }
        out.put("clients/etcd-admin", new CertRequest("etcd-admin", "birdbath", List.of(), List.of(), false, true,
                CertRequest.TWO_YEARS));
        // kubeadm's name and group for this certificate
        out.put("clients/apiserver-etcd-client", new CertRequest("kube-apiserver-etcd-client", "system:masters",
                List.of(), List.of(), false, true, CertRequest.TWO_YEARS));
        return out;
    }

    /**
     * Issues what is missing or no longer right (creating the CA first if there is none); with {@code rotate},
     * reissues every node certificate. Returns one line per certificate: "issued (why)" or "ok". A cluster that
     * runs Kubernetes also gets its Kubernetes keys, once ({@link KubernetesPki}).
     */
    public Map<String, String> issue(List<Node> nodes, boolean rotate) {
        CertificateAuthority ca = hasCa() ? ca() : init();
        if (spec.provider().runsKubernetes()) {
            new KubernetesPki(spec).ensure();
        }
        Map<String, String> actions = new LinkedHashMap<>();
        CertificateAuthority clients = etcdClientsCa(ca, actions);
        for (Map.Entry<String, CertRequest> e : wanted(nodes).entrySet()) {
            CertificateAuthority issuer = issuer(e.getKey(), ca, clients);
            Status status = status(issuer, e.getKey(), e.getValue());
            boolean renew = status != Status.OK || (rotate && (e.getKey().startsWith("nodes/")
                    || e.getKey().startsWith(ETCD_SERVERS)));
            if (!renew) {
                actions.put(e.getKey(), "ok");
                continue;
            }
            if (e.getKey().startsWith("clients/") && status == Status.WRONG_CA
                    && ca.issued(Pem.readCertificates(dir.resolve(e.getKey() + ".crt")).get(0))) {
                // from before etcd's clients had their own CA: still what members not yet moved accept
                keepAsLegacy(e.getKey());
            }
            write(issuer, e.getKey(), e.getValue());
            actions.put(e.getKey(), "issued (" + (status == Status.OK ? "rotated" : status.name().toLowerCase()
                    .replace('_', '-')) + ")");
        }
        return actions;
    }

    /** Who signs {@code name}: etcd's client-side CA for clients/* and etcd-servers/*, the cluster CA the rest. */
    private static CertificateAuthority issuer(String name, CertificateAuthority ca, CertificateAuthority clients) {
        return name.startsWith("clients/") || name.startsWith(ETCD_SERVERS) ? clients : ca;
    }

    /** Each etcd member's certificate for its client port, from etcd's client-side CA. */
    static final String ETCD_SERVERS = "etcd-servers/";

    /**
     * The etcd clients' CA, made once (never replaced while its files are there). A client certificate it did not
     * sign is kept as clients/NAME-legacy until etcd's members trust this CA alone ({@link #dropLegacyClients}).
     */
    private CertificateAuthority etcdClientsCa(CertificateAuthority ca, Map<String, String> actions) {
        Path crt = dir.resolve(ETCD_CLIENTS_CA + ".crt");
        Path key = dir.resolve(ETCD_CLIENTS_CA + ".key");
        if (Files.exists(crt) && Files.exists(key)) {
            return CertificateAuthority.load(crt, key, null);
        }
        CertificateAuthority clients = CertificateAuthority.createNamed("birdbath " + spec.name()
                + " etcd clients CA");
        Pem.writePrivateKey(key, clients.key());
        Pem.writeCertificates(crt, clients.chain());
        actions.put(ETCD_CLIENTS_CA, "issued (missing)");
        return clients;
    }

    /** Issues {@code want} as NAME.crt (with the intermediates, for peers trusting only the root) and NAME.key. */
    private void write(CertificateAuthority ca, String name, CertRequest want) {
        CertificateAuthority.Issued issued = ca.issue(want);
        List<X509Certificate> chain = new ArrayList<>(List.of(issued.certificate()));
        chain.addAll(ca.chain().subList(0, Math.max(0, ca.chain().size() - 1)));
        Pem.writePrivateKey(dir.resolve(name + ".key"), issued.key());
        Pem.writeCertificates(dir.resolve(name + ".crt"), chain);
    }

    private Status status(CertificateAuthority ca, String name, CertRequest want) {
        Path crt = dir.resolve(name + ".crt");
        if (!Files.exists(crt) || !Files.exists(dir.resolve(name + ".key"))) {
            return Status.MISSING;
        }
        X509Certificate cert = Pem.readCertificates(crt).get(0);
        if (!ca.issued(cert)) {
            return Status.WRONG_CA;
        }
        if (!CertificateAuthority.sans(cert).equals(want.sans())) {
            return Status.SAN_MISMATCH;
        }
        if (cert.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
            return Status.EXPIRING;
        }
        return Status.OK;
    }

    /** Every certificate the cluster should have, with its state. */
    public List<Row> list(List<Node> nodes) {
        CertificateAuthority ca = ca();
        List<Row> rows = new ArrayList<>();
        rows.add(row("ca", ca.certificate(), Status.OK));
        Path clientsCrt = dir.resolve(ETCD_CLIENTS_CA + ".crt");
        CertificateAuthority clients = Files.exists(clientsCrt) ? CertificateAuthority.load(clientsCrt,
                dir.resolve(ETCD_CLIENTS_CA + ".key"), null) : null;
        if (clients == null) {
            rows.add(new Row(ETCD_CLIENTS_CA, "", List.of(), "", null, 0, Status.MISSING));
        } else {
            rows.add(row(ETCD_CLIENTS_CA, clients.certificate(), Status.OK));
        }
        for (Map.Entry<String, CertRequest> e : wanted(nodes).entrySet()) {
            CertificateAuthority issuer = issuer(e.getKey(), ca, clients == null ? ca : clients);
            Status status = status(issuer, e.getKey(), e.getValue());
            if (status == Status.MISSING) {
                rows.add(new Row(e.getKey(), "", List.of(), "", null, 0, status));
            } else {
                rows.add(row(e.getKey(), Pem.readCertificates(dir.resolve(e.getKey() + ".crt")).get(0), status));
            }
        }
        return rows;
    }

    private static Row row(String name, X509Certificate c, Status status) {
        Instant notAfter = c.getNotAfter().toInstant();
        return new Row(name, c.getSubjectX500Principal().getName(), CertificateAuthority.sans(c),
                c.getIssuerX500Principal().getName(), notAfter, Duration.between(Instant.now(), notAfter).toDays(),
                status);
    }

    /** The CA chain nodes trust: the signing CA first, its issuers up to the root after it. */
    public List<X509Certificate> bundle() {
        return Pem.readCertificates(dir.resolve("ca-bundle.crt"));
    }

    /**
     * TLS as birdbath's client {@code name} (clients/NAME.crt), trusting the cluster CA only; while a legacy
     * certificate of that client is kept, it is offered too, to servers that ask for the cluster CA's.
     */
    public javax.net.ssl.SSLContext clientTls(String name) {
        Path crt = dir.resolve("clients/" + name + ".crt");
        if (!Files.exists(crt)) {
            throw new BirdbathException("no client certificate " + crt + "; run `birdbath pki issue`");
        }
        List<Path[]> identities = new ArrayList<>();
        identities.add(new Path[] {crt, dir.resolve("clients/" + name + ".key")});
        Path legacy = dir.resolve("clients/" + name + LEGACY + ".crt");
        if (Files.exists(legacy)) {
            identities.add(new Path[] {legacy, dir.resolve("clients/" + name + LEGACY + ".key")});
        }
        return TlsContexts.of(etcdServerTrust(), identities);
    }

    /**
     * What etcd's clients trust for its members' client port: etcd's client-side CA, and the cluster CA, which
     * served that port before the client-side CA existed (members move to it one at a time).
     */
    public List<X509Certificate> etcdServerTrust() {
        Path clients = dir.resolve(ETCD_CLIENTS_CA + ".crt");
        // before the first `pki issue` of this version there is none yet: the members then serve the cluster CA's
        List<X509Certificate> trust = new ArrayList<>(Files.exists(clients) ? Pem.readCertificates(clients)
                : List.of());
        trust.addAll(bundle());
        return trust;
    }

    /** {@link #etcdServerTrust} in PEM, for kube-apiserver's etcd CA file. */
    public byte[] etcdServerTrustPem() {
        return Pem.encode(etcdServerTrust().toArray()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static final String LEGACY = "-legacy";

    private void keepAsLegacy(String name) {
        for (String ext : List.of(".crt", ".key")) {
            try {
                Files.move(dir.resolve(name + ext), dir.resolve(name + LEGACY + ext),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new BirdbathException("cannot keep " + name + ext + " aside: " + e.getMessage());
            }
        }
    }

    /** Whether a legacy client certificate is still kept (etcd's members are not all on the clients' CA yet). */
    public boolean hasLegacyClients() {
        return ETCD_CLIENTS.stream().anyMatch(name -> Files.exists(dir.resolve("clients/" + name + LEGACY + ".crt")));
    }

    /** Once every member trusts the clients' CA alone: the legacy certificates go. */
    public void dropLegacyClients() {
        for (String name : ETCD_CLIENTS) {
            for (String ext : List.of(".crt", ".key")) {
                try {
                    Files.deleteIfExists(dir.resolve("clients/" + name + LEGACY + ext));
                } catch (java.io.IOException e) {
                    throw new BirdbathException("cannot remove a legacy client certificate: " + e.getMessage());
                }
            }
        }
    }

    /** A service's TLS files in PEM: the CA bundle, the certificate (with intermediates) and its key. */
    public record ServiceTls(String caPem, String certificatePem, birdbath.Secret keyPem) { }

    /**
     * The server certificate of an app ({@code services/NAME}) for {@code dnsNames}, issued by the cluster CA
     * when it is missing, from another CA, for other names or close to expiry.
     */
    public ServiceTls serviceTls(String name, List<String> dnsNames) {
        CertificateAuthority ca = hasCa() ? ca() : init();
        String key = "services/" + name;
        CertRequest want = new CertRequest(name, "birdbath", dnsNames, List.of(), true, false, CertRequest.TWO_YEARS);
        if (status(ca, key, want) != Status.OK) {
            write(ca, key, want);
        }
        try {
            return new ServiceTls(Files.readString(dir.resolve("ca-bundle.crt")),
                    Files.readString(dir.resolve(key + ".crt")),
                    new birdbath.Secret(Files.readString(dir.resolve(key + ".key"))));
        } catch (java.io.IOException e) {
            throw new BirdbathException("cannot read " + key + " in " + dir + ": " + e.getMessage());
        }
    }

    /** A node's own certificate (without the intermediates that follow it in its file). */
    public X509Certificate nodeCertificate(Node node) {
        return Pem.readCertificates(dir.resolve("nodes/" + node.name() + ".crt")).get(0);
    }

    /** The files a node gets: the CA bundle, its certificate (with intermediates) and its key. */
    public Map<String, byte[]> nodeFiles(Node node) {
        try {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("ca.crt", Files.readAllBytes(dir.resolve("ca-bundle.crt")));
            files.put("node.crt", Files.readAllBytes(dir.resolve("nodes/" + node.name() + ".crt")));
            files.put("node.key", Files.readAllBytes(dir.resolve("nodes/" + node.name() + ".key")));
            files.put(ETCD_CLIENTS_CA_FILE, Files.readAllBytes(dir.resolve(ETCD_CLIENTS_CA + ".crt")));
            Path server = dir.resolve(ETCD_SERVERS + node.name() + ".crt");
            if (Files.exists(server)) {
                files.put(ETCD_SERVER_CERT, Files.readAllBytes(server));
                files.put(ETCD_SERVER_KEY, Files.readAllBytes(dir.resolve(ETCD_SERVERS + node.name() + ".key")));
            }
            return files;
        } catch (java.io.IOException e) {
            throw new BirdbathException("cannot read the certificates of " + node.name() + " in " + dir + ": "
                    + e.getMessage() + "; run `birdbath pki issue`");
        }
    }
}
