package birdbath.stage.apps;

import birdbath.Shell;
import birdbath.BirdbathException;
import birdbath.host.Host;
import birdbath.remote.SshConnection;
import java.time.Duration;

/**
 * `birdbath image load`: one image tarball imported into containerd's k8s.io namespace on a node (where
 * kubelet looks), unless the node already has that image: the import is labelled with the config's digest,
 * and a node whose image of that name carries the same label is skipped.
 */
public final class ImageLoad {

    static final String LABEL = "birdbath.dev/config-digest";
    private static final Duration COPY = Duration.ofMinutes(10);

    private ImageLoad() { }

    /** Loads {@code image} on the node behind {@code ssh}; returns "imported" or "already there". */
    public static String load(SshConnection ssh, ImageTarball image) {
        String ref = image.containerdReference();
        must(ssh, "systemctl is-active --quiet containerd || systemctl start containerd", "start containerd");
        Host.Result listed = ssh.exec("ctr -n k8s.io images ls " + Shell.quote("name==" + ref));
        if (listed.ok() && listed.out().contains(LABEL + "=" + image.configDigest())) {
            return "already there";
        }
        String remote = "/var/tmp/birdbath-image-" + image.configDigest().substring("sha256:".length(), 19) + ".tar";
        try {
            ssh.upload(image.file(), remote, COPY);
            must(ssh, "ctr -n k8s.io images import " + Shell.quote(remote), "import " + image.file().getFileName());
            must(ssh, "ctr -n k8s.io images label " + Shell.quote(ref) + " " + Shell.quote(LABEL + "=" + image.configDigest()),
                    "label " + ref);
        } finally {
            ssh.exec("rm -f " + Shell.quote(remote));
        }
        return "imported";
    }

    private static void must(SshConnection ssh, String command, String what) {
        Host.Result r = ssh.exec(command);
        if (!r.ok()) {
            throw new BirdbathException(ssh.node() + ": cannot " + what + ": " + (r.err() + r.out()).strip());
        }
    }

}
