package birdbath.config;

import birdbath.Secret;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A validated config with every default filled in: what the rest of birdbath works from.
 *
 * @param stateDir {@code .birdbath/} beside the config file
 * @param localMirror the Debian mirror for the local provider's base image, or null for the host's
 */
public record ClusterSpec(Path configFile, Path stateDir, ProviderKind provider, String name, int nodes,
                          String domain, LinodeSpec linode, NetworkSpec network, int storageNodes, int volumeSizeGb,
                          EtcdSpec etcd, KubernetesSpec kubernetes, String localMirror, Dataplane ipsecDataplane,
                          AppsSpec apps, BackupsSpec backups) {

    public enum ProviderKind {
        LINODE(true), LOCAL(false);

        private final boolean runsKubernetes;

        ProviderKind(boolean runsKubernetes) {
            this.runsKubernetes = runsKubernetes;
        }

        /** Whether its nodes can install Kubernetes (the local provider's reach no repository or registry). */
        public boolean runsKubernetes() {
            return runsKubernetes;
        }

        /** As birdbath.yaml's `provider:` names it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum NetworkMode { VPC, PRIVATE_IP }

    public enum Role { CONTROL_PLANE, WORKER, ETCD, STORAGE }

    /** kernel: transport mode with kernel ESP; userspace: libipsec tunnels, for kernels without ESP. */
    public enum Dataplane { KERNEL, USERSPACE }

    /** What the Linode provider needs. The token may be absent here and come from LINODE_TOKEN at use. */
    public record LinodeSpec(String region, String type, String image, String apiUrl, Secret token,
                             Secret rootPass, List<String> sshKeys) { }

    /**
     * etcd: members on the first N nodes; {@code version} null for the distribution's package; the tarball's
     * SHA-256 and URL (with {VERSION}) for when the package is older than {@code version}.
     */
    public record EtcdSpec(int members, String version, String sha256, String downloadUrl, int heartbeatIntervalMs,
                           int electionTimeoutMs) {
        public static final String RELEASE_URL =
                "https://github.com/etcd-io/etcd/releases/download/v{VERSION}/etcd-v{VERSION}-linux-amd64.tar.gz";
        /**
         * What Linode nodes run unless etcd.version says otherwise: Debian 12's etcd (3.4.23) is older than the
         * pinned Kubernetes accepts (kubeadm: external etcd 3.5.24 or newer, from 1.34 through the 1.36 cycle), so the
         * release tarball.
         */
        public static final String PINNED_VERSION = "3.5.24";
        /**
         * The SHA-256 of etcd-v3.5.24-linux-amd64.tar.gz as listed in kubernetes-sigs/kubespray
         * roles/kubespray_defaults/vars/main/checksums.yml (etcd_binary_checksums, amd64, 3.5.24; added in commit
         * db599b3, which its updater copies from the release's SHA256SUMS). No second source was reachable here.
         */
        public static final String PINNED_SHA256 = "042497e2ddcee06f22e5d486d81f58affa26b53ee423e2a6aaca3d3ea98c8191";
    }

    /**
     * Kubernetes: control-plane nodes (the first N), the release X.Y.Z (packages from the vX.Y repository), and
     * the pod and service ranges (neither overlaps the nodes' private network).
     */
    public record KubernetesSpec(int controlPlane, String version, String podCidr, String serviceCidr) {
        public static final String DEFAULT_VERSION = "1.36.4";

        /** "v1.36": the pkgs.k8s.io repository of this minor release. */
        public String minor() {
            return "v" + version.substring(0, version.lastIndexOf('.'));
        }
    }

    /** Linode's legacy private addresses (networking.mode: private-ip), which Linode assigns. */
    public static final String LINODE_PRIVATE_RANGE = "192.168.128.0/17";
    /** The local provider's nodes (RFC 2544's benchmarking range, which nothing routes). */
    public static final String LOCAL_RANGE = "198.18.0.0/15";

    /** The nodes' private network: the VPC subnet, Linode's legacy private range, or the local range. */
    public static String privateRange(ProviderKind provider, NetworkSpec network) {
        return provider == ProviderKind.LOCAL ? LOCAL_RANGE
                : network.mode() == NetworkMode.VPC ? network.vpcSubnet() : LINODE_PRIVATE_RANGE;
    }

    public String privateRange() {
        return privateRange(provider, network);
    }

    public int controlPlane() {
        return kubernetes.controlPlane();
    }

    /** Several API servers get a NodeBalancer in front (Linode only: where Kubernetes runs). */
    public static boolean apiBalanced(ProviderKind provider, int controlPlane) {
        return provider.runsKubernetes() && controlPlane > 1;
    }

    public boolean apiBalanced() {
        return apiBalanced(provider, controlPlane());
    }

    /**
     * The API NodeBalancer's block of a VPC subnet: the /30 just below the last /30 (whose top address the subnet
     * keeps), so above every node, which count up from the bottom. Only for a /28 or larger.
     */
    public static Cidr apiBalancerBlock(Cidr subnet) {
        return new Cidr(subnet.network() + subnet.size() - 8, 30);
    }

    /** The API server's name: an A record to the first control-plane node (kubeadm's controlPlaneEndpoint). */
    public String apiName() {
        return name + "-api." + domain;
    }

    public int etcdMembers() {
        return etcd.members();
    }

    /**
     * @param allowedCidrs who may reach SSH and the Kubernetes API (the admin ports)
     * @param publicCidrs  who may reach the apps: HTTP(S) through Traefik, MQTT over TLS (the public ports)
     */
    public record NetworkSpec(NetworkMode mode, String vpcSubnet, List<String> allowedCidrs,
                              List<String> publicCidrs) { }

    /** Nodes are named {@code <cluster>-<n>}, n from 1, as the original named them {@code <group>-<n>}. */
    public String nodeLabel(int n) {
        return name + "-" + n;
    }

    public String fqdn(int n) {
        return nodeLabel(n) + "." + domain;
    }

    /** The tag that marks every Linode resource this cluster owns. */
    public String tag() {
        return "birdbath-" + name;
    }

    /**
     * The first {@code control_plane} nodes run the control plane, the first {@code etcd.members} run etcd,
     * the first {@code storage.nodes} carry a volume; the rest are workers (a single node is both).
     */
    public Set<Role> roles(int n) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (n <= kubernetes.controlPlane()) {
            roles.add(Role.CONTROL_PLANE);
        }
        if (n > kubernetes.controlPlane() || nodes == 1) {
            roles.add(Role.WORKER);
        }
        if (n <= etcd.members()) {
            roles.add(Role.ETCD);
        }
        if (n <= storageNodes) {
            roles.add(Role.STORAGE);
        }
        return roles;
    }
}
