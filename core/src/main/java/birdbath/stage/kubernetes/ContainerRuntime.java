package birdbath.stage.kubernetes;

import birdbath.remote.NodeFile;
import birdbath.remote.Step;
import birdbath.remote.Step.RunUnless;
import birdbath.stage.NodeSteps;
import birdbath.stage.Template;
import java.util.List;
import java.util.Map;

/**
 * containerd and runc for kubelet, from their releases, pinned by version and SHA-256 (Debian 12's containerd
 * 1.6.20 is below what any supported Kubernetes is tested with, and has no CRI RuntimeConfig). Why these and
 * where each value comes from: docs/KUBERNETES.md and docs/upstream/containerd-and-kubernetes-pins.md.
 *
 * @param pauseImage the sandbox image kubeadm of the pinned minor release expects
 */
public record ContainerRuntime(String containerdVersion, String containerdUrl, String containerdSha256,
                               String runcVersion, String runcUrl, String runcSha256, String pauseImage) {

    /**
     * containerd 2.3.4 (the 2.3 LTS branch, which containerd's support matrix pairs with Kubernetes 1.36) and the
     * runc its release names (script/setup/runc-version: v1.4.3); digests as kubespray and kops pin them, each a
     * copy of the release's own .sha256sum.
     */
    public static final ContainerRuntime PINNED = new ContainerRuntime("2.3.4",
            "https://github.com/containerd/containerd/releases/download/v2.3.4/containerd-2.3.4-linux-amd64.tar.gz",
            "9d68969855fbf676cdb8ed758e420fb048d61f984f61de3e53eddfebe484d168", "1.4.3",
            "https://github.com/opencontainers/runc/releases/download/v1.4.3/runc.amd64",
            "f6ae8efc0fa40079e1475e97cbe9d1bd3f106a28d6af78a11d9f1bd565515e60", "registry.k8s.io/pause:3.10.2");

    static final String UNIT = "containerd.service";
    static final String INSTALLER = "/etc/birdbath/install-containerd.sh";
    static final String UNIT_FILE = NodeFile.UNITS + UNIT;
    static final String CONFIG = "/etc/containerd/config.toml";
    /** What the installer last installed: versions and digests, one line. */
    static final String MARKER = "/usr/local/lib/birdbath/containerd-installed";

    /** The marker's line once this runtime is installed. */
    String installed() {
        return containerdVersion + " " + containerdSha256 + " " + runcVersion + " " + runcSha256;
    }

    /** The installer, the unit and the configuration; each restarts containerd when it changes. */
    List<NodeFile> files(String kubernetesMinor) {
        return List.of(
                NodeFile.of(INSTALLER, Template.render("kubernetes/install-containerd.sh", Map.of("marker", MARKER,
                        "containerd_version", containerdVersion, "containerd_url", containerdUrl,
                        "containerd_sha256", containerdSha256, "runc_version", runcVersion, "runc_url", runcUrl,
                        "runc_sha256", runcSha256))).withMode("755").restartsUnit(UNIT),
                NodeFile.of(UNIT_FILE, Template.render("kubernetes/containerd.service", Map.of())).restartsUnit(UNIT),
                NodeFile.of(CONFIG, Template.render("kubernetes/containerd-config.toml", Map.of("pause_image",
                        pauseImage, "kubernetes_minor", kubernetesMinor))).restartsUnit(UNIT));
    }

    /**
     * The files out, the release installed unless the marker names it (a containerd already running is restarted
     * onto it, even when no file changed: an earlier run may have stopped in between), containerd enabled and
     * running, restarted when one of its files changed.
     */
    List<Step> steps(List<NodeFile> declared) {
        return new NodeSteps(declared.stream().filter(f -> List.of(INSTALLER, UNIT_FILE, CONFIG).contains(f.path()))
                .toList())
                .put(UNIT_FILE)
                .put(CONFIG)
                .put(INSTALLER)
                .add(new RunUnless("containerd " + containerdVersion + ", runc " + runcVersion, INSTALLER
                        + " && systemctl try-restart " + UNIT, "grep -qxF '" + installed() + "' " + MARKER))
                .unit(UNIT)
                .build();
    }
}
