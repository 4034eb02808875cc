package birdbath.remote;

import birdbath.BirdbathException;
import birdbath.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * An SSH host key birdbath makes for a node before the node exists (ECDSA P-256, the type birdbath's own key
 * has): the private half goes to the node once, in its creation request, and is kept nowhere else; the public
 * half is pinned in {@link KnownHosts} before the first connection.
 *
 * @param privateKey the private key in OpenSSH's format
 * @param publicKey the public key as a known_hosts / authorized_keys entry ("ecdsa-sha2-nistp256 AAAA...")
 */
public record HostKey(Secret privateKey, String publicKey) {

    /** cloud-init's name for the type ({@code ecdsa_private}, {@code ecdsa_public} in its ssh_keys). */
    public static final String CLOUD_INIT_TYPE = "ecdsa";

    public static HostKey generate(SecureRandom random) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = gen.generateKeyPair();
            ByteArrayOutputStream pem = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "host", null, pem);
            return new HostKey(new Secret(pem.toString(StandardCharsets.US_ASCII)),
                    PublicKeyEntry.toString(pair.getPublic()));
        } catch (IOException | GeneralSecurityException e) {
            throw new BirdbathException("cannot make an SSH host key: " + e.getMessage());
        }
    }
}
