package birdbath.stage.apps;

import birdbath.BirdbathException;
import birdbath.Secret;
import birdbath.secrets.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The htpasswd lines of a basic-auth realm, kept in .birdbath/secrets/apps/NAME.htpasswd (0600): what
 * `birdbath apps auth add NAME USER` changes and the next deploy puts into the realm's Secret.
 */
public final class DashboardUsers {

    /** Traefik's dashboard: the one realm there is. */
    public static final String DASHBOARD = "traefik-dashboard";

    private final Path file;

    public DashboardUsers(Path stateDir, String realm) {
        if (!realm.matches("[a-z0-9][a-z0-9-]*")) {
            throw new BirdbathException("'" + realm + "' is not a realm name; expected lowercase letters, digits and"
                    + " '-' (the dashboard's is " + DASHBOARD + ")");
        }
        this.file = new birdbath.state.StateDir(stateDir).appSecrets().resolve(realm + ".htpasswd");
    }

    /** The file's text ("" when nobody was added yet). */
    public String text() {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Adds {@code user}, or gives them a new password; returns "added" or "updated". */
    public String put(String user, Secret password, SecureRandom random) {
        String line = Htpasswd.line(user, password, random);
        List<String> lines = new ArrayList<>();
        boolean updated = false;
        for (String l : text().lines().toList()) {
            if (l.startsWith(user + ":")) {
                lines.add(line);
                updated = true;
            } else if (!l.isBlank()) {
                lines.add(l);
            }
        }
        if (!updated) {
            lines.add(line);
        }
        SecretFiles.writeSecret(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        return updated ? "updated" : "added";
    }

    public Path file() {
        return file;
    }
}
