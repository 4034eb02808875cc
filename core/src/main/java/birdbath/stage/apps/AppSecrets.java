package birdbath.stage.apps;

import birdbath.BirdbathException;
import birdbath.Secret;
import birdbath.secrets.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The apps' generated passwords: made once, kept in .birdbath/secrets/apps/NAME (0600) so that every deploy
 * renders the same Secrets, and never printed.
 */
public final class AppSecrets {

    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final Path dir;
    private final SecureRandom random;

    public AppSecrets(Path stateDir, SecureRandom random) {
        this.dir = new birdbath.state.StateDir(stateDir).appSecrets();
        this.random = random;
    }

    /** The password called {@code name}, generated (32 characters) the first time it is asked for. */
    public Secret password(String name) {
        if (!name.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new IllegalArgumentException("not a secret name: " + name);
        }
        Path file = dir.resolve(name);
        try {
            if (Files.exists(file)) {
                return new Secret(Files.readString(file, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + file + ": " + e.getMessage());
        }
        StringBuilder sb = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        SecretFiles.writeSecret(file, (sb + "\n").getBytes(StandardCharsets.UTF_8));
        return new Secret(sb.toString());
    }

    public SecureRandom random() {
        return random;
    }
}
