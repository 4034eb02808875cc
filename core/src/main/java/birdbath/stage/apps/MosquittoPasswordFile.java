package birdbath.stage.apps;

import birdbath.Secret;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A Mosquitto 2 password file, made without mosquitto_passwd: one {@code user:$7$ITERATIONS$SALT$HASH} line per
 * user, where 7 is Mosquitto's PBKDF2-HMAC-SHA512 (12-byte salt, 64-byte hash, both base64). The salt is
 * derived from the user and the password (HMAC-SHA256), so the same users and passwords give the same file
 * and a second deploy changes nothing; the passwords are generated, long and per cluster, so no two files
 * share a salt in practice. The passwords themselves never leave the {@link Secret}s.
 */
public final class MosquittoPasswordFile {

    /** Mosquitto's own tool uses 101; more costs an attacker more and the broker little (one hash per login). */
    static final int ITERATIONS = 1000;
    private static final int SALT_BYTES = 12;
    private static final int HASH_BITS = 512;

    private MosquittoPasswordFile() { }

    /** The file's text for these users (in the map's order). */
    public static String of(Map<String, Secret> passwords) {
        StringBuilder sb = new StringBuilder();
        passwords.forEach((user, password) -> {
            byte[] salt = salt(user, password);
            sb.append(user).append(":$7$").append(ITERATIONS).append('$')
                    .append(Base64.getEncoder().encodeToString(salt)).append('$')
                    .append(Base64.getEncoder().encodeToString(hash(password, salt))).append('\n');
        });
        return sb.toString();
    }

    private static byte[] salt(String user, Secret password) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(password.reveal().getBytes(
                    java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.Arrays.copyOf(mac.doFinal(("mosquitto-salt:" + user).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)), SALT_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17", e);
        }
    }

    private static byte[] hash(Secret password, byte[] salt) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.reveal().toCharArray(), salt, ITERATIONS, HASH_BITS);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is part of every Java 17", e);
        }
    }
}
