package birdbath.secrets;

import birdbath.BirdbathException;
import birdbath.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import birdbath.state.StateDir;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * The credentials birdbath gives new nodes: the root password (the user's, or one generated once and kept in
 * .birdbath/secrets/root_pass, 0600) and birdbath's own SSH key pair (.birdbath/ssh/id_ecdsa, 0600), so that
 * later stages can log in without the user's private key.
 */
public final class ClusterCredentials {

    private static final String ALPHABET_LOWER = "abcdefghijkmnopqrstuvwxyz";
    private static final String ALPHABET_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private static final String DIGITS = "23456789";
    private static final String SYMBOLS = "-_.+=@%";

    private final StateDir state;
    private final SecureRandom random = new SecureRandom();

    public ClusterCredentials(Path stateDir) {
        this.state = new StateDir(stateDir);
    }

    public Path privateKeyFile() {
        return state.sshKey();
    }

    /** The configured root password, else the stored one, else a new one (stored before it is used). */
    public Secret rootPassword(Secret configured) {
        if (configured != null) {
            return configured;
        }
        Path file = state.rootPassword();
        try {
            if (Files.exists(file)) {
                return new Secret(Files.readString(file).trim());
            }
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + file + ": " + e.getMessage());
        }
        String all = ALPHABET_LOWER + ALPHABET_UPPER + DIGITS + SYMBOLS;
        StringBuilder sb = new StringBuilder();
        // one of each class first, so Linode's strength check always passes
        for (String cls : new String[] {ALPHABET_LOWER, ALPHABET_UPPER, DIGITS, SYMBOLS}) {
            sb.append(cls.charAt(random.nextInt(cls.length())));
        }
        while (sb.length() < 32) {
            sb.append(all.charAt(random.nextInt(all.length())));
        }
        SecretFiles.writeSecret(file, (sb + "\n").getBytes(StandardCharsets.UTF_8));
        return new Secret(sb.toString());
    }

    /** Who birdbath logs in as: root until the baseline stage has made and proven the admin user. */
    public String loginUser() {
        Path file = state.loginUser();
        try {
            return Files.exists(file) ? Files.readString(file).strip() : "root";
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + file + ": " + e.getMessage());
        }
    }

    public void loginUser(String user) {
        SecretFiles.write(state.loginUser(), (user + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The keys a node trusts, each an authorized_keys line: the user's (linode.ssh_keys), then birdbath's own. */
    public java.util.List<String> nodeKeys(birdbath.config.ClusterSpec spec) {
        java.util.List<String> keys = new java.util.ArrayList<>(spec.linode().sshKeys());
        keys.add(publicKey());
        return keys;
    }

    /**
     * birdbath's public key in OpenSSH form, generating the pair on first use: only while neither half exists and
     * no node has been made (the inventory is missing). A lost half, or a lost pair of a cluster with nodes, is an
     * error naming the files and the way back: a new pair would lock birdbath out of every node.
     */
    public String publicKey() {
        Path priv = privateKeyFile();
        Path pub = priv.resolveSibling("id_ecdsa.pub");
        try {
            if (Files.exists(priv) && Files.exists(pub)) {
                return Files.readString(pub).trim();
            }
            if (Files.exists(priv)) {
                throw new BirdbathException(pub + " is missing while " + priv + " is there: birdbath will not make"
                        + " a new key pair (its nodes trust this one). Recreate the public half with"
                        + " `ssh-keygen -y -f " + priv + " > " + pub + "`");
            }
            if (Files.exists(pub)) {
                throw new BirdbathException(priv + " is missing while " + pub + " is there: birdbath cannot log in to"
                        + " nodes that trust only this key, and will not make a new pair. Restore " + priv
                        + " from a backup; or remove " + pub + " to start over, with your own key (linode.ssh_keys) to"
                        + " let birdbath's new key onto the nodes");
            }
            if (Files.exists(state.inventory())) {
                throw new BirdbathException("birdbath's key pair (" + priv + ", " + pub + ") is missing but "
                        + state.inventory() + " lists nodes that trust it: restore both files from a backup (a new"
                        + " pair would lock birdbath out of every node)");
            }
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = gen.generateKeyPair();
            ByteArrayOutputStream pem = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "birdbath", null, pem);
            SecretFiles.writeSecret(priv, pem.toByteArray());
            String line = PublicKeyEntry.toString(pair.getPublic()) + " birdbath";
            SecretFiles.write(pub, (line + "\n").getBytes(StandardCharsets.UTF_8));
            return line;
        } catch (IOException | GeneralSecurityException e) {
            throw new BirdbathException("cannot create birdbath's SSH key in " + priv.getParent() + ": "
                    + e.getMessage());
        }
    }
}
