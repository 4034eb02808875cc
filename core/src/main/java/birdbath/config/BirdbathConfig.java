package birdbath.config;

import java.util.List;

/**
 * birdbath.yaml as written: every field may be absent. {@link ConfigLoader} validates it and fills in defaults to
 * give a {@link ClusterSpec}. Field names are snake_case in the file.
 */
public record BirdbathConfig(String provider, Cluster cluster, Linode linode, Networking networking, Storage storage,
                             Etcd etcd, Kubernetes kubernetes, Local local, Ipsec ipsec, Apps apps, Backups backups) {

    /** The cluster itself; {@code name} may come from the original's {@code linode.group}. */
    public record Cluster(String name, Integer nodes, String domain) { }

    /** Linode settings; {@code group}, {@code distro} and {@code root_ssh_key} are the original project's keys. */
    public record Linode(String token, String apiUrl, String group, String region, String type, String image,
                         String distro, String rootPass, String rootSshKey, List<String> sshKeys) { }

    /** {@code allowed_cidrs}: who administers (SSH, the Kubernetes API); {@code public_cidrs}: who uses the apps. */
    public record Networking(String mode, String vpcSubnet, List<String> allowedCidrs, List<String> publicCidrs) { }

    public record Storage(Integer nodes, Integer volumeSizeGb) { }

    /**
     * The dedicated etcd: {@code version} "distro" (the default) takes the distribution's package; a version
     * X.Y.Z takes the package if it is at least that recent, else the release tarball, which must match
     * {@code sha256}. {@code download_url} replaces the release URL (a mirror); {VERSION} is filled in.
     */
    public record Etcd(Integer members, String version, String sha256, String downloadUrl, Integer heartbeatIntervalMs,
                       Integer electionTimeoutMs) { }

    /** Kubernetes: the release (kubelet, kubeadm, kubectl from pkgs.k8s.io) and the pod and service ranges. */
    public record Kubernetes(Integer controlPlane, String version, String podCidr, String serviceCidr) { }

    /** IPsec between the nodes: {@code kernel} (transport mode, kernel ESP) or {@code userspace} (libipsec). */
    public record Ipsec(String dataplane) { }

    /** The local provider: the Debian mirror its base image is built from (default: the host's apt mirror). */
    public record Local(String mirror) { }

    /** Scheduled backups (see {@link BackupsSpec}); on when the section is there, unless {@code enabled: false}. */
    public record Backups(Boolean enabled, String schedule, Integer keep) { }

    /** The apps on the cluster (see {@link AppsSpec}); an app is on unless {@code enabled: false}. */
    public record Apps(String acmeEmail, Integer ingressNode, Traefik traefik, Postgres postgres, Mosquitto mosquitto,
                       Owntracks2db owntracks2db, Haircolor haircolor) {

        public record Traefik(Boolean enabled, String dashboardHost) { }

        public record Postgres(Boolean enabled, Integer sizeGb) { }

        public record Mosquitto(Boolean enabled, String host, Integer sizeGb, List<String> users) { }

        public record Owntracks2db(Boolean enabled) { }

        public record Haircolor(Boolean enabled, String host) { }
    }
}
