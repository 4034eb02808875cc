package birdbath.remote;

import birdbath.BirdbathException;
import birdbath.secrets.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * .birdbath/known_hosts: each node's SSH host key, pinned on first contact (a line "name key-type base64").
 * A different key later is refused: the node was rebuilt, or someone is in the middle.
 */
public final class KnownHosts {

    private final Path file;
    private final Map<String, String> keys = new LinkedHashMap<>();

    public KnownHosts(Path stateDir) {
        this.file = new birdbath.state.StateDir(stateDir).knownHosts();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] parts = line.trim().split("\\s+", 2);
                    if (parts.length == 2 && !parts[0].startsWith("#")) {
                        keys.put(parts[0], parts[1]);
                    }
                }
            }
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Pins the key on first contact; afterwards accepts only the same key. */
    public synchronized void verify(String node, String address, PublicKey key) {
        String seen = PublicKeyEntry.toString(key);
        String pinned = keys.get(node);
        if (pinned == null) {
            keys.put(node, seen);
            save();
            return;
        }
        if (!pinned.equals(seen)) {
            throw new HostKeyMismatch("the SSH host key of " + node + " (" + address + ") is not the one pinned in "
                    + file + ": expected " + fingerprint(pinned) + ", got " + KeyUtils.getFingerPrint(key)
                    + ". If the node was rebuilt, remove its line from that file; otherwise do not connect.");
        }
    }

    /** Forgets a node's key, when the provider has just created the node anew. */
    public synchronized void forget(String node) {
        if (keys.remove(node) != null) {
            save();
        }
    }

    private static String fingerprint(String entry) {
        try {
            return KeyUtils.getFingerPrint(PublicKeyEntry.parsePublicKeyEntry(entry).resolvePublicKey(null, null, null));
        } catch (IOException | java.security.GeneralSecurityException e) {
            return entry.substring(0, Math.min(40, entry.length())) + "...";
        }
    }

    private void save() {
        StringBuilder sb = new StringBuilder("# birdbath: SSH host keys pinned on first contact\n");
        keys.forEach((node, key) -> sb.append(node).append(' ').append(key).append('\n'));
        SecretFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A host key that is not the pinned one. */
    public static final class HostKeyMismatch extends BirdbathException {
        HostKeyMismatch(String message) {
            super(message);
        }
    }
}
