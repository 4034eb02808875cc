package birdbath.pki;

import birdbath.BirdbathException;
import birdbath.Secret;
import birdbath.config.ClusterSpec;
import birdbath.secrets.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes cluster's own keys, made once by birdbath and kept in .birdbath/pki/kubernetes/: the cluster CA,
 * the front-proxy CA and the service-account signing key; and the key Secrets are encrypted with in etcd, in
 * .birdbath/secrets/. They go to the control-plane nodes before kubeadm runs,
 * so kubeadm never mints them (it uses a ca.crt and ca.key it finds), and a rebuilt control-plane node gets the same
 * ones: no new CA that would break every other node and every kubeconfig.
 *
 * A root of its own, not an intermediate under birdbath's cluster CA: etcd and strongSwan trust that CA, and
 * Kubernetes signs certificates for anyone its API lets ask (kubelets, the CSR API); under the cluster CA such a
 * certificate would be an etcd client and an IPsec peer.
 */
public final class KubernetesPki {

    /** Where kubeadm looks for them on a node. */
    public static final String NODE_DIR = "/etc/kubernetes/pki/";
    /** Private keys among {@link #FILES}. */
    public static final List<String> KEYS = List.of("ca.key", "front-proxy-ca.key", "sa.key");
    /** The files kubeadm shares between control-plane nodes, in the order they are placed. */
    public static final List<String> FILES = List.of("ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key",
            "sa.key", "sa.pub");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterSpec spec;
    private final Path dir;

    public KubernetesPki(ClusterSpec spec) {
        this.spec = spec;
        this.dir = birdbath.state.StateDir.of(spec).kubernetesPki();
    }

    public Path dir() {
        return dir;
    }

    /** Makes what is missing (the first time, all of it); never replaces what exists. */
    public void ensure() {
        if (!Files.exists(dir.resolve("ca.key"))) {
            save("ca", CertificateAuthority.createNamed("birdbath " + spec.name() + " Kubernetes CA"));
        }
        if (!Files.exists(dir.resolve("front-proxy-ca.key"))) {
            save("front-proxy-ca", CertificateAuthority.createNamed("birdbath " + spec.name() + " front-proxy CA"));
        }
        if (!Files.exists(encryptionKeyFile())) {
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            SecretFiles.writeSecret(encryptionKeyFile(), (Base64.getEncoder().encodeToString(key) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        if (!Files.exists(dir.resolve("sa.key"))) {
            KeyPair pair = CertificateAuthority.newKeyPair();
            SecretFiles.write(dir.resolve("sa.pub"), Pem.encode(pair.getPublic()).getBytes(StandardCharsets.US_ASCII));
            Pem.writePrivateKey(dir.resolve("sa.key"), pair.getPrivate());
        }
    }

    private Path encryptionKeyFile() {
        return birdbath.state.StateDir.of(spec).kubernetesEncryptionKey();
    }

    /** The key (32 bytes, base64) Secrets are encrypted with in etcd, the same on every control-plane node. */
    public Secret encryptionKey() {
        try {
            return new Secret(Files.readString(encryptionKeyFile(), StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + encryptionKeyFile() + " (" + e.getMessage() + "): the pki"
                    + " stage makes it; run `birdbath pki issue`");
        }
    }

    private void save(String name, CertificateAuthority ca) {
        Pem.writeCertificates(dir.resolve(name + ".crt"), List.of(ca.certificate()));
        Pem.writePrivateKey(dir.resolve(name + ".key"), ca.key());
    }

    /** File name under {@link #NODE_DIR} -> content, as kept here. */
    public Map<String, byte[]> nodeFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : FILES) {
            Path source = dir.resolve(name);
            try {
                files.put(name, Files.readAllBytes(source));
            } catch (IOException e) {
                throw new BirdbathException("cannot read " + source + " (" + e.getMessage() + "): the pki stage makes"
                        + " the Kubernetes CA; run `birdbath pki issue`");
            }
        }
        return files;
    }
}
