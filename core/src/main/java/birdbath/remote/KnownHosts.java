package birdbath.remote;

import birdbath.BirdbathException;
import birdbath.config.ClusterSpec;
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
 * .birdbath/known_hosts: each node's SSH host key (a line "name key-type base64"). On Linode the key is pinned
 * before the node exists ({@link #pin}, with the key birdbath hands the new instance), and a node without a pin
 * is refused: the first connection goes over the internet. The local provider's nodes, on this machine's own
 * bridge, are pinned on first contact. A different key later is refused: the node was rebuilt, or someone is in
 * the middle.
 */
public final class KnownHosts {

    private final Path file;
    private final boolean trustOnFirstUse;
    private final Map<String, String> keys = new LinkedHashMap<>();

    /** The cluster's pins: trust on first use only for the local provider's nodes. */
    public static KnownHosts of(ClusterSpec spec) {
        return new KnownHosts(spec.stateDir(), spec.provider() == ClusterSpec.ProviderKind.LOCAL);
    }

    /** Pins taken on first contact (the local provider; tests' own sshd). */
    public KnownHosts(Path stateDir) {
        this(stateDir, true);
    }

    public KnownHosts(Path stateDir, boolean trustOnFirstUse) {
        this.trustOnFirstUse = trustOnFirstUse;
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

    /** Accepts only the pinned key; without a pin, pins this one if trust on first use is allowed. */
    public synchronized void verify(String node, String address, PublicKey key) {
        String seen = PublicKeyEntry.toString(key);
        String pinned = keys.get(node);
        if (pinned == null && !trustOnFirstUse) {
            throw new HostKeyMismatch("no SSH host key is pinned for " + node + " (" + address + ") in " + file
                    + ": birdbath pins each node's key when it creates the node and trusts no other. If the node"
                    + " was made by an older birdbath or the file was lost, compare " + KeyUtils.getFingerPrint(key)
                    + " with `ssh-keygen -lf` of the node's /etc/ssh/ssh_host_*_key.pub in Lish, then add the line \""
                    + node + " " + seen + "\" to that file");
        }
        if (pinned == null) {
            keys.put(node, seen);
            save();
            return;
        }
        if (!typeAndKey(pinned).equals(seen)) {
            throw new HostKeyMismatch("the SSH host key of " + node + " (" + address + ") is not the one pinned in "
                    + file + ": expected " + fingerprint(pinned) + ", got " + KeyUtils.getFingerPrint(key)
                    + ". If the node was rebuilt, remove its line from that file; otherwise do not connect.");
        }
    }

    /** Pins {@code publicKey} (an OpenSSH entry) for {@code node} before its first connection: a new node's key. */
    public synchronized void pin(String node, String publicKey) {
        if (!publicKey.equals(keys.get(node))) {
            keys.put(node, publicKey);
            save();
        }
    }

    /** Forgets a node's key, when the provider has just created the node anew. */
    public synchronized void forget(String node) {
        if (keys.remove(node) != null) {
            save();
        }
    }

    /** "type base64" of a pinned entry, without a comment a user may have pasted with it. */
    private static String typeAndKey(String entry) {
        String[] parts = entry.trim().split("\\s+");
        return parts.length >= 2 ? parts[0] + " " + parts[1] : entry.trim();
    }

    private static String fingerprint(String entry) {
        try {
            return KeyUtils.getFingerPrint(PublicKeyEntry.parsePublicKeyEntry(entry).resolvePublicKey(null, null, null));
        } catch (IOException | java.security.GeneralSecurityException e) {
            return entry.substring(0, Math.min(40, entry.length())) + "...";
        }
    }

    private void save() {
        StringBuilder sb = new StringBuilder("# birdbath: SSH host keys, pinned when birdbath made the node (Linode)"
                + " or on first contact (local)\n");
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
