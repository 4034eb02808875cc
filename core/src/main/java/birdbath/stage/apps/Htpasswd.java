package birdbath.stage.apps;

import birdbath.Secret;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * htpasswd lines with bcrypt hashes ({@code user:$2y$COST$...}), what Traefik's basicAuth middleware reads
 * from a Secret's {@code users} key: the original's htpasswd + kubectl steps, without either tool.
 */
public final class Htpasswd {

    static final int COST = 10;

    private Htpasswd() { }

    public static String line(String user, Secret password, SecureRandom random) {
        if (user.isEmpty() || user.contains(":") || user.contains("\n")) {
            throw new IllegalArgumentException("'" + user + "' cannot be an htpasswd user (no ':' or line breaks)");
        }
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return user + ":" + OpenBSDBCrypt.generate("2y", password.reveal().toCharArray(), salt, COST);
    }
}
