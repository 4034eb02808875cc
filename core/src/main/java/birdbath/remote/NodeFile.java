package birdbath.remote;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One file birdbath keeps on a node, declared once by its stage: converging writes it (only when content, mode
 * or owner differ), `birdbath render` shows it, and `check` compares the node's copy with it. A unit file
 * (under {@value #UNITS}) reloads systemd by itself when it changes.
 *
 * @param restarts the unit to restart when this file changed in a run (null: none)
 * @param secret   render shows its size only
 * @param kept     false for a file written for one command and removed after it (kubeadm's join config, which
 *                 holds a token): render shows it, check does not look for it
 */
public record NodeFile(String path, byte[] content, String mode, String owner, boolean secret, String restarts,
                       boolean kept) {

    public static final String UNITS = "/etc/systemd/system/";

    /** A text file, 0644 root:root. */
    public static NodeFile of(String path, String text) {
        return of(path, text.getBytes(StandardCharsets.UTF_8));
    }

    public static NodeFile of(String path, byte[] content) {
        return new NodeFile(path, content, "644", "root:root", false, null, true);
    }

    public NodeFile withMode(String m) {
        return new NodeFile(path, content, m, owner, secret, restarts, kept);
    }

    public NodeFile ownedBy(String o) {
        return new NodeFile(path, content, mode, o, secret, restarts, kept);
    }

    /** A private key or a password: mode 0600 and never shown. */
    public NodeFile asSecret() {
        return new NodeFile(path, content, "600", owner, true, restarts, kept);
    }

    public NodeFile restartsUnit(String unit) {
        return new NodeFile(path, content, mode, owner, secret, unit, kept);
    }

    public NodeFile removedAfterUse() {
        return new NodeFile(path, content, mode, owner, secret, restarts, false);
    }

    public boolean isUnit() {
        return path.startsWith(UNITS);
    }

    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }

    /** "PATH (mode 644, root:root, restarts UNIT)": how `birdbath render` introduces the file. */
    public String heading() {
        return path + " (mode " + mode + ", " + owner + (restarts == null ? "" : ", restarts " + restarts)
                + (kept ? "" : ", removed after use") + ")";
    }

    /** What `birdbath render` prints: the text, or for a secret only its size. */
    public String shown() {
        return secret ? "(secret, " + content.length + " bytes: not shown)\n" : text();
    }

    /** The paths among {@code files} whose change restarts {@code unit}. */
    public static List<String> restarting(List<NodeFile> files, String unit) {
        return files.stream().filter(f -> unit.equals(f.restarts())).map(NodeFile::path).toList();
    }
}
