package birdbath.stage.kubernetes;

import birdbath.config.Cidr;
import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.Role;
import birdbath.pki.KubernetesPki;
import birdbath.provider.Node;
import birdbath.stage.Template;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The kubeadm, kubelet and flannel files, rendered from the spec and the nodes alone (no node is asked). */
public final class KubeadmConfigs {

    static final String FLANNEL_VERSION = "v0.26.1";
    static final String FLANNEL_IMAGE = "docker.io/flannel/flannel:" + FLANNEL_VERSION;
    static final String CNI_PLUGIN_IMAGE = "docker.io/flannel/flannel-cni-plugin:v1.5.1-flannel2";
    /** ESP in UDP with AES-GCM (UDP 8, ESP 8, IV 8, ICV 16, padding and trailer up to 5) rounded up, plus 20
     *  for the outer IP header of the userspace data plane's tunnel mode: a margin that covers both. */
    static final int IPSEC_OVERHEAD = 80;
    static final int VXLAN_OVERHEAD = 50;
    static final int POD_MTU = 1500 - VXLAN_OVERHEAD - IPSEC_OVERHEAD;
    /**
     * What flannel may send on the private interface once IPsec has taken its share: flannel's Backend.MTU, from
     * which it sizes its own VXLAN interface (MTU - 50, the pods' MTU). Without it flannel takes the interface's 1500.
     */
    static final int TRANSPORT_MTU = 1500 - IPSEC_OVERHEAD;

    private KubeadmConfigs() { }

    static List<Node> controlPlane(List<Node> nodes) {
        return nodes.stream().filter(n -> n.roles().contains(Role.CONTROL_PLANE)).toList();
    }

    /** InitConfiguration, ClusterConfiguration and KubeletConfiguration for the first control-plane node. */
    public static String init(ClusterSpec spec, List<Node> nodes) {
        Node first = controlPlane(nodes).get(0);
        Template.Fragment etcd = Template.Fragment.lines(nodes.stream().filter(n -> n.roles().contains(Role.ETCD))
                .map(n -> Template.Fragment.of("      - https://%s:2379", n.privateIp())).toList());
        Set<String> sans = new LinkedHashSet<>();
        sans.add(spec.apiName());
        for (Node n : controlPlane(nodes)) {
            sans.add(n.fqdn());
            sans.add(n.name());
            sans.add(n.privateIp());
            if (n.publicIp() != null) {
                sans.add(n.publicIp());
            }
        }
        return Template.render("kubernetes/kubeadm-init.yaml", Map.ofEntries(Map.entry("name", first.name()),
                Map.entry("ip", first.privateIp()), Map.entry("cluster", spec.name()),
                Map.entry("version", spec.kubernetes().version()), Map.entry("api_name", spec.apiName()),
                Map.entry("pod_cidr", spec.kubernetes().podCidr()),
                Map.entry("service_cidr", spec.kubernetes().serviceCidr()), Map.entry("etcd_endpoints", etcd),
                Map.entry("sans", Template.Fragment.lines(sans.stream().map(s -> Template.Fragment.of("    - \"%s\"", s))
                        .toList())),
                Map.entry("config_dir", CONFIG_DIR), Map.entry("audit_dir", AUDIT_DIR),
                Map.entry("api_server_args", apiServerArgs())));
    }

    /** The API server's files from birdbath, on every control-plane node (mounted read-only into its pod). */
    static final String CONFIG_DIR = "/etc/kubernetes/birdbath";
    /** Where the API server writes its audit log. */
    static final String AUDIT_DIR = "/var/log/kubernetes/audit";
    static final String ENCRYPTION_CONFIG = CONFIG_DIR + "/encryption-config.yaml";
    static final String AUDIT_POLICY = CONFIG_DIR + "/audit-policy.yaml";
    /**
     * The API server's extra arguments, name to value, in the ClusterConfiguration's order: Secrets encrypted with
     * birdbath's key, every request's metadata in an audit log rotated after 7 days, 5 files or 100 MB.
     */
    static final Map<String, String> API_SERVER_ARGS = orderedArgs("encryption-provider-config", ENCRYPTION_CONFIG,
            "audit-policy-file", AUDIT_POLICY, "audit-log-path", AUDIT_DIR + "/audit.log", "audit-log-maxage", "7",
            "audit-log-maxbackup", "5", "audit-log-maxsize", "100");

    /** What check looks for in the running API server's command: each argument as kubeadm passes it. */
    static List<String> apiServerFlags() {
        return API_SERVER_ARGS.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toList();
    }

    private static Map<String, String> orderedArgs(String... pairs) {
        Map<String, String> args = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            args.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(args);
    }

    /** The v1beta4 list form of {@link #API_SERVER_ARGS}, indented for apiServer.extraArgs. */
    private static Template.Fragment apiServerArgs() {
        // a number quoted, or YAML reads it as one (kubeadm's value is a string); paths as they are
        return Template.Fragment.lines(API_SERVER_ARGS.entrySet().stream().map(e -> Template.Fragment.of(
                e.getValue().matches("\\d+") ? "    - name: %s\n      value: \"%s\"" : "    - name: %s\n      value: %s",
                e.getKey(), e.getValue())).toList());
    }

    /** The EncryptionConfiguration with birdbath's key: a secret. */
    static String encryptionConfig(KubernetesPki pki) {
        return Template.render("kubernetes/encryption-config.yaml", Map.of("key", pki.encryptionKey().reveal()));
    }

    static String auditPolicy() {
        return Template.render("kubernetes/audit-policy.yaml", Map.of());
    }

    /**
     * JoinConfiguration for {@code node}; with {@code asControlPlane} it joins as a control-plane node, with the
     * shared keys it already holds (no certificate key: nothing is uploaded for it).
     */
    public static String join(ClusterSpec spec, Node node, String token, String caHash, boolean asControlPlane) {
        Template.Fragment controlPlane = !asControlPlane ? Template.Fragment.EMPTY : Template.Fragment.of(
                "controlPlane:\n  localAPIEndpoint:\n    advertiseAddress: %s\n    bindPort: 6443\n", node.privateIp());
        return Template.render("kubernetes/kubeadm-join.yaml", Map.of("name", node.name(), "ip", node.privateIp(),
                "api_name", spec.apiName(), "token", token, "ca_hash", caHash, "control_plane", controlPlane));
    }

    public static String kubelet(Node node) {
        return Template.render("kubernetes/kubelet.default", Map.of("ip", node.privateIp()));
    }

    /**
     * Shell lines that define kubernetes_package: the repository's package version of $version ("1.36.4-1.1"),
     * or stop naming what the repository has: the revision is the repository's to choose, so it is read, not assumed.
     */
    static Template.Fragment packageVersion() {
        return Template.fragment("kubernetes/package-version.sh", Map.of()).withoutFinalNewline();
    }

    /** The same on every node: what kubelet needs (the script names no node). */
    public static String prepare(ClusterSpec spec) {
        return Template.render("kubernetes/prepare-node.sh", Map.of("minor", spec.kubernetes().minor(),
                "version", spec.kubernetes().version(), "package_version", packageVersion(),
                "packages", String.join(" ", KubernetesStage.NODE_PACKAGES)));
    }

    /** The upgrade script: `kubeadm upgrade apply` on the first control-plane node, `upgrade node` elsewhere. */
    public static String upgrade(ClusterSpec spec, boolean first) {
        return Template.render("kubernetes/upgrade-node.sh", Map.of("minor", spec.kubernetes().minor(),
                "version", spec.kubernetes().version(), "package_version", packageVersion(),
                "how", first ? "apply -y v" + spec.kubernetes().version() : "node"));
    }

    public static String flannel(ClusterSpec spec) {
        return Template.render("kubernetes/flannel.yaml", Map.of("flannel_version", FLANNEL_VERSION, "mtu",
                String.valueOf(POD_MTU), "transport_mtu", String.valueOf(TRANSPORT_MTU), "ipsec_overhead", String.valueOf(IPSEC_OVERHEAD), "pod_cidr",
                spec.kubernetes().podCidr(), "cni_plugin_image", CNI_PLUGIN_IMAGE, "flannel_image", FLANNEL_IMAGE,
                "iface_reach", ifaceReach(spec)));
    }

    /**
     * An address of the private network that is no node's: the route to it leaves by the private interface on
     * every node (a node's own address would route through lo on that node). Linode keeps a VPC subnet's first
     * host address as its gateway.
     */
    static String ifaceReach(ClusterSpec spec) {
        return Cidr.toIp(Cidr.parse(spec.privateRange()).network() + 1);
    }

    /** Every shell script this stage renders, by name (for shellcheck). */
    public static Map<String, String> scripts(ClusterSpec spec) {
        return Map.of("prepare-node.sh", prepare(spec), "upgrade-node.sh (first)", upgrade(spec, true),
                "upgrade-node.sh (other)", upgrade(spec, false));
    }
}
