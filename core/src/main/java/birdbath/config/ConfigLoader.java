package birdbath.config;

import birdbath.Secret;
import birdbath.config.ClusterSpec.EtcdSpec;
import birdbath.config.ClusterSpec.KubernetesSpec;
import birdbath.config.ClusterSpec.LinodeSpec;
import birdbath.config.ClusterSpec.NetworkMode;
import birdbath.config.ClusterSpec.NetworkSpec;
import birdbath.config.ClusterSpec.ProviderKind;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads birdbath.yaml (or the original project's config.yaml), maps retired values with a warning, validates
 * every field and fills in defaults. Every problem is reported as "file:line: field: what was expected".
 */
public final class ConfigLoader {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private static final Pattern CLUSTER_NAME = Pattern.compile("^[a-z]([a-z0-9-]*[a-z0-9])?$");
    private static final Pattern DOMAIN = Pattern.compile(
            "^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$");
    private static final Pattern SLUG = Pattern.compile("^[a-z0-9][a-z0-9./-]*$");
    private static final Pattern SSH_KEY = Pattern.compile("^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\\d+|sk-\\S+) \\S+.*");
    /** The label limit of Linode volumes is 32: "<name>-<n>" must fit for n up to 3 digits. */
    static final int MAX_NAME = 28;
    static final int MAX_NODES = 500;

    private final Map<String, String> env;

    /** @param env the environment, for LINODE_TOKEN and LINODE_API_URL */
    public ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /** Loads and validates; warnings (retired values mapped, a token in the file) go to {@code warn}. */
    public ClusterSpec load(Path file, Consumer<String> warn) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name + ": no such file; run `birdbath init` to write one, or pass -c FILE");
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read: " + e.getMessage());
        }
        YamlLocations where;
        BirdbathConfig raw = null;
        try {
            where = new YamlLocations(text);
        } catch (IOException e) {
            throw new ConfigException(describe(name, e, null));
        }
        if (!text.isBlank()) {
            try {
                raw = YAML.readValue(text, BirdbathConfig.class);
            } catch (IOException e) {
                throw new ConfigException(describe(name, e, where));
            }
        }
        if (raw == null) {
            throw new ConfigException(name + ":1: the file is empty; expected at least provider, cluster.name,"
                    + " cluster.nodes and cluster.domain (run `birdbath init` for a commented example)");
        }
        return new Check(name, where, warn).spec(file, raw);
    }

    /** One message for a parse or binding failure: the line, the field, what was expected. */
    private static String describe(String file, IOException io, YamlLocations where) {
        if (!(io instanceof JacksonException e)) {
            return file + ": cannot read: " + io.getMessage();
        }
        JsonLocation loc = e.getLocation();
        int line = loc == null || loc.getLineNr() < 1 ? 1 : loc.getLineNr();
        if (where != null && e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            // the key's own line: Jackson reports where it stopped reading, often the line after
            line = where.lineOf(path(m.getPath()));
        }
        String at = file + ":" + line + ": ";
        if (e instanceof UnrecognizedPropertyException u) {
            String field = path(u.getPath());
            Collection<Object> known = u.getKnownPropertyIds();
            return at + "unknown field '" + field + "'; expected one of: " + String.join(", ",
                    new TreeSet<>(known.stream().map(Object::toString).toList()));
        }
        if (e instanceof InvalidFormatException f) {
            return at + path(f.getPath()) + ": expected " + expected(f.getTargetType()) + ", got '" + f.getValue()
                    + "'";
        }
        if (e instanceof MismatchedInputException m) {
            return at + path(m.getPath()) + ": expected " + expected(m.getTargetType());
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return at + path(m.getPath()) + ": " + m.getOriginalMessage();
        }
        String problem = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        return at + "not valid YAML: " + problem;
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "(top level)" : sb.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "a different kind of value";
        }
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == String.class) {
            return "a single value (text)";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isRecord() || type == BirdbathConfig.class) {
            return "a section of 'key: value' lines";
        }
        return "a " + type.getSimpleName();
    }

    /** Validation of one file: collects every problem, then fails once with all of them. */
    private final class Check {
        private final String file;
        private final YamlLocations where;
        private final Consumer<String> warn;
        private final List<String> problems = new ArrayList<>();

        Check(String file, YamlLocations where, Consumer<String> warn) {
            this.file = file;
            this.where = where;
            this.warn = warn;
        }

        private void problem(String field, String message) {
            problems.add(file + ":" + where.lineOf(field) + ": " + field + ": " + message);
        }

        private void warning(String field, String message) {
            warn.accept(file + ":" + where.lineOf(field) + ": " + field + ": " + message);
        }

        ClusterSpec spec(Path path, BirdbathConfig raw) {
            BirdbathConfig.Cluster cluster = orEmpty(raw.cluster(), new BirdbathConfig.Cluster(null, null, null));
            BirdbathConfig.Linode linode = orEmpty(raw.linode(),
                    new BirdbathConfig.Linode(null, null, null, null, null, null, null, null, null, null));
            BirdbathConfig.Networking net = orEmpty(raw.networking(), new BirdbathConfig.Networking(null, null, null,
                    null));
            BirdbathConfig.Storage storage = orEmpty(raw.storage(), new BirdbathConfig.Storage(null, null));

            ProviderKind provider = provider(raw.provider());
            String name = clusterName(cluster, linode);
            int nodes = range("cluster.nodes", cluster.nodes(), 3, 1, MAX_NODES);
            String domain = domain(cluster.domain(), provider);
            EtcdSpec etcd = etcd(raw.etcd(), nodes, provider);

            int storageNodes = range("storage.nodes", storage.nodes(), nodes, 0, nodes);
            int volumeSize = range("storage.volume_size_gb", storage.volumeSizeGb(), 20, 10, 10240);
            NetworkSpec network = network(net, nodes);
            KubernetesSpec kubernetes = kubernetes(raw.kubernetes(), nodes, network, provider);
            LinodeSpec linodeSpec = linode(linode, path, provider);
            String mirror = raw.local() == null ? null : raw.local().mirror();
            if (mirror != null && !Grammar.url(mirror, null) && !Grammar.FILE_URL.matcher(mirror).matches()) {
                problem("local.mirror", "'" + Grammar.shown(mirror) + "' is not a URL; expected a Debian mirror such"
                        + " as http://deb.debian.org/debian");
            }
            ClusterSpec.Dataplane dataplane = provider == ProviderKind.LOCAL ? ClusterSpec.Dataplane.USERSPACE
                    : ClusterSpec.Dataplane.KERNEL;
            if (raw.ipsec() != null && raw.ipsec().dataplane() != null) {
                switch (raw.ipsec().dataplane()) {
                    case "kernel" -> dataplane = ClusterSpec.Dataplane.KERNEL;
                    case "userspace" -> dataplane = ClusterSpec.Dataplane.USERSPACE;
                    default -> problem("ipsec.dataplane", "expected 'kernel' (kernel ESP, transport mode) or"
                            + " 'userspace' (libipsec, for kernels without ESP), got '" + raw.ipsec().dataplane() + "'");
                }
            }
            AppsSpec apps = new AppsSection(this::problem, domain, nodes).spec(raw.apps());
            BackupsSpec backups = backups(raw.backups());
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            Path stateDir = path.toAbsolutePath().getParent().resolve(".birdbath");
            return new ClusterSpec(path, stateDir, provider, name, nodes, domain, linodeSpec, network, storageNodes,
                    volumeSize, etcd, kubernetes, mirror, dataplane, apps, backups);
        }

        private BackupsSpec backups(BirdbathConfig.Backups raw) {
            if (raw == null || Boolean.FALSE.equals(raw.enabled())) {
                return BackupsSpec.OFF;
            }
            String schedule = raw.schedule() == null ? BackupsSpec.OFF.schedule() : raw.schedule();
            if (!BackupsSpec.valid(schedule)) {
                problem("backups.schedule", "expected " + BackupsSpec.SCHEDULES + ", got '" + Grammar.shown(schedule)
                        + "'");
                schedule = BackupsSpec.OFF.schedule();
            }
            return new BackupsSpec(true, schedule, range("backups.keep", raw.keep(), BackupsSpec.OFF.keep(), 1, 1000));
        }

        private KubernetesSpec kubernetes(BirdbathConfig.Kubernetes raw, int nodes, NetworkSpec network,
                                          ProviderKind provider) {
            BirdbathConfig.Kubernetes k = orEmpty(raw, new BirdbathConfig.Kubernetes(null, null, null, null));
            int controlPlane = range("kubernetes.control_plane", k.controlPlane(), 1, 1, nodes);
            String version = k.version() == null ? KubernetesSpec.DEFAULT_VERSION : k.version().replaceFirst("^v", "");
            if (!version.matches("^1\\.\\d+\\.\\d+$")) {
                problem("kubernetes.version", "expected a Kubernetes release such as " + KubernetesSpec.DEFAULT_VERSION
                        + ", got '" + Grammar.shown(k.version()) + "'");
                version = KubernetesSpec.DEFAULT_VERSION;
            }
            String pods = k.podCidr() == null ? "10.244.0.0/16" : k.podCidr();
            String services = k.serviceCidr() == null ? "10.96.0.0/12" : k.serviceCidr();
            String nodesRange = ClusterSpec.privateRange(provider, network);
            Cidr pod = cidrField("kubernetes.pod_cidr", pods, 8, 20);
            Cidr svc = cidrField("kubernetes.service_cidr", services, 8, 24);
            Cidr own = Cidr.parse(nodesRange);
            if (pod != null && own != null && pod.overlaps(own)) {
                problem("kubernetes.pod_cidr", pods + " overlaps the nodes' private network " + nodesRange);
            }
            if (svc != null && own != null && svc.overlaps(own)) {
                problem("kubernetes.service_cidr", services + " overlaps the nodes' private network " + nodesRange);
            }
            if (pod != null && svc != null && pod.overlaps(svc)) {
                problem("kubernetes.service_cidr", services + " overlaps kubernetes.pod_cidr " + pods);
            }
            Cidr subnet = Cidr.parse(network.vpcSubnet());
            if (ClusterSpec.apiBalanced(provider, controlPlane) && network.mode() == NetworkMode.VPC && subnet != null) {
                Cidr block = ClusterSpec.apiBalancerBlock(subnet);
                long lastNode = subnet.network() + Cidr.FIRST_HOST_OFFSET + nodes - 1;
                if (subnet.prefix() > 28 || lastNode >= block.network()) {
                    problem("networking.vpc_subnet", network.vpcSubnet() + " has no room for " + nodes + " nodes and"
                            + " the API's NodeBalancer (kubernetes.control_plane " + controlPlane + "), which takes "
                            + (subnet.prefix() > 28 ? "a /30 at the top of a /28 or larger" : block)
                            + "; use a larger range");
                }
            }
            return new KubernetesSpec(controlPlane, version, pods, services);
        }

        /** A private IPv4 range with a prefix from {@code min} to {@code max}, or null after a problem. */
        private Cidr cidrField(String field, String value, int min, int max) {
            Cidr c = Cidr.parse(value);
            if (c == null || !c.isPrivate() || c.prefix() < min || c.prefix() > max) {
                problem(field, "'" + Grammar.shown(value) + "' is not usable; expected a private IPv4 range with a prefix from /"
                        + min + " to /" + max);
                return null;
            }
            return c;
        }

        private EtcdSpec etcd(BirdbathConfig.Etcd raw, int nodes, ProviderKind provider) {
            BirdbathConfig.Etcd e = orEmpty(raw, new BirdbathConfig.Etcd(null, null, null, null, null, null));
            // an even count tolerates no more failures than one less, so a 2-node cluster gets 1 member
            int members = e.members() == null ? (nodes >= 3 ? 3 : 1) : e.members();
            if (e.members() != null) {
                if (members < 1 || members > 7 || members % 2 == 0) {
                    problem("etcd.members", "expected an odd number from 1 to 7, got " + members);
                } else if (members > nodes) {
                    problem("etcd.members", members + " members need at least " + members
                            + " nodes; cluster.nodes is " + nodes);
                }
            }
            // Linode nodes get the pinned release (the distribution's is too old for Kubernetes); local nodes,
            // which run no Kubernetes, the distribution's package their image already holds
            String version = e.version() == null ? (provider == ProviderKind.LINODE ? EtcdSpec.PINNED_VERSION : null)
                    : e.version().equals("distro") ? null : e.version();
            if (version != null && !version.matches("^\\d+\\.\\d+\\.\\d+$")) {
                problem("etcd.version", "expected 'distro' or a release such as 3.5.21, got '" + Grammar.shown(version)
                        + "'");
                version = null;
            }
            String sha256 = e.sha256() == null && EtcdSpec.PINNED_VERSION.equals(version) ? EtcdSpec.PINNED_SHA256
                    : e.sha256();
            if (sha256 != null && !sha256.matches("^[0-9a-f]{64}$")) {
                problem("etcd.sha256", "expected the tarball's SHA-256 as 64 lowercase hex digits");
            } else if (version != null && sha256 == null) {
                problem("etcd.sha256", "etcd.version " + version + " needs the SHA-256 of its release tarball"
                        + " (from the release's SHA256SUMS), used when the distribution's package is older");
            }
            String url = e.downloadUrl() == null ? EtcdSpec.RELEASE_URL : e.downloadUrl();
            if (!Grammar.url(url, "{VERSION}")) {
                problem("etcd.download_url", "'" + Grammar.shown(url) + "' is not an http(s) URL of letters, digits"
                        + " and - . _ ~ % / + = : @ ? & (with {VERSION} where the release goes); it is used in a"
                        + " script on the nodes");
            }
            int heartbeat = range("etcd.heartbeat_interval_ms", e.heartbeatIntervalMs(), 200, 10, 10000);
            int election = range("etcd.election_timeout_ms", e.electionTimeoutMs(), 5000, 50, 50000);
            if (election < 5 * heartbeat) {
                problem("etcd.election_timeout_ms", "expected at least 5 x etcd.heartbeat_interval_ms ("
                        + 5 * heartbeat + "), got " + election);
            }
            return new EtcdSpec(members, version, sha256, url, heartbeat, election);
        }

        private ProviderKind provider(String value) {
            if (value == null) {
                return ProviderKind.LINODE;
            }
            switch (value) {
                case "linode": return ProviderKind.LINODE;
                case "local": return ProviderKind.LOCAL;
                default:
                    problem("provider", "expected 'linode' or 'local', got '" + value + "'");
                    return ProviderKind.LINODE;
            }
        }

        private String clusterName(BirdbathConfig.Cluster cluster, BirdbathConfig.Linode linode) {
            String name = cluster.name();
            String group = linode.group();
            if (name == null && group != null) {
                name = group;
            } else if (name != null && group != null && !name.equals(group)) {
                problem("linode.group", "'" + group + "' differs from cluster.name '" + name + "'; linode.group is"
                        + " the original project's name for cluster.name: keep one of them");
                return name;
            }
            String field = cluster.name() == null && group != null ? "linode.group" : "cluster.name";
            if (name == null) {
                problem("cluster.name", "missing; expected a short name such as 'fancy-birdbath' (nodes are named"
                        + " <name>-1, <name>-2, ...)");
                return "invalid";
            }
            if (!CLUSTER_NAME.matcher(name).matches() || name.length() > MAX_NAME) {
                problem(field, "'" + Grammar.shown(name) + "' is not a valid name; expected lowercase letters, digits and '-',"
                        + " starting with a letter, at most " + MAX_NAME + " characters (it becomes host and DNS"
                        + " names like " + "<name>-1.<domain>)");
            }
            return name;
        }

        private String domain(String domain, ProviderKind provider) {
            if (domain == null) {
                if (provider == ProviderKind.LOCAL) {
                    return "birdbath.test";
                }
                problem("cluster.domain", "missing; expected a domain whose DNS Linode hosts for you, e.g."
                        + " example.com (nodes get A records <name>-<n>.<domain>)");
                return "invalid.test";
            }
            if (!DOMAIN.matcher(domain).matches()) {
                problem("cluster.domain", "'" + Grammar.shown(domain) + "' is not a domain name; expected e.g. example.com");
            }
            return domain;
        }

        private int range(String field, Integer value, int dflt, int min, int max) {
            if (value == null) {
                return dflt;
            }
            if (value < min || value > max) {
                problem(field, "expected a number from " + min + " to " + max + ", got " + value);
                return dflt;
            }
            return value;
        }

        private NetworkSpec network(BirdbathConfig.Networking net, int nodes) {
            NetworkMode mode = NetworkMode.VPC;
            if (net.mode() != null) {
                switch (net.mode()) {
                    case "vpc" -> mode = NetworkMode.VPC;
                    case "private-ip" -> mode = NetworkMode.PRIVATE_IP;
                    default -> problem("networking.mode", "expected 'vpc' (default) or 'private-ip' (the original's"
                            + " legacy private addresses), got '" + net.mode() + "'");
                }
            }
            String subnet = net.vpcSubnet() == null ? "10.42.0.0/24" : net.vpcSubnet();
            Cidr cidr = Cidr.parse(subnet);
            // the Linode twin (linode-sim --real-nodes) takes RFC 2544's range instead: tests send nothing to RFC 1918
            boolean twin = cidr != null && cidr.prefix() >= 15
                    && Cidr.parse(ClusterSpec.LOCAL_RANGE).contains(cidr.network());
            if (twin) {
                warning("networking.vpc_subnet", subnet + " is in 198.18.0.0/15, which only the Linode twin"
                        + " (linode-sim --real-nodes) accepts; the real Linode API wants an RFC 1918 range");
            }
            boolean linodeOk = cidr != null && cidr.isPrivate()
                    && !cidr.overlaps(Cidr.parse(ClusterSpec.LINODE_PRIVATE_RANGE));
            if (cidr == null || !twin && !linodeOk) {
                problem("networking.vpc_subnet", "'" + Grammar.shown(subnet) + "' is not usable; expected a private (RFC 1918) IPv4"
                        + " range in CIDR notation outside 192.168.128.0/17, e.g. 10.42.0.0/24");
            } else if (cidr.size() - Cidr.FIRST_HOST_OFFSET - 1 < nodes) {
                problem("networking.vpc_subnet", subnet + " has room for " + (cidr.size() - Cidr.FIRST_HOST_OFFSET - 1)
                        + " nodes, cluster.nodes is " + nodes + "; use a larger range");
            }
            return new NetworkSpec(mode, subnet, cidrs("networking.allowed_cidrs", net.allowedCidrs()),
                    cidrs("networking.public_cidrs", net.publicCidrs()));
        }

        /** A list of address ranges; everyone when it is not given. */
        private List<String> cidrs(String field, List<String> given) {
            List<String> list = given == null ? List.of("0.0.0.0/0", "::/0") : given;
            for (int i = 0; i < list.size(); i++) {
                String a = list.get(i);
                if (a == null || (Cidr.parse(a) == null && !a.contains(":"))) {
                    problem(field + "[" + i + "]", "'" + Grammar.shown(String.valueOf(a)) + "' is not an address range; expected CIDR notation"
                            + " such as 203.0.113.0/24 or ::/0");
                }
            }
            return List.copyOf(list);
        }

        private LinodeSpec linode(BirdbathConfig.Linode l, Path configPath, ProviderKind provider) {
            String region = l.region() == null ? "us-east" : l.region();
            var newRegion = LegacyValues.region(region);
            if (newRegion.isPresent()) {
                warning("linode.region", "'" + region + "' is the old name of '" + newRegion.get() + "'; using "
                        + newRegion.get());
                region = newRegion.get();
            } else if (!SLUG.matcher(region).matches()) {
                problem("linode.region", "'" + region + "' is not a region id; expected e.g. us-east, eu-central");
            }
            String type = l.type() == null ? "g6-standard-2" : l.type();
            var newType = LegacyValues.type(type);
            if (newType.isPresent()) {
                warning("linode.type", "'" + type + "' is retired; its successor '" + newType.get() + "' is used");
                type = newType.get();
            } else if (!SLUG.matcher(type).matches()) {
                problem("linode.type", "'" + type + "' is not a Linode type id; expected e.g. g6-standard-2");
            }
            String imageField = l.image() == null && l.distro() != null ? "linode.distro" : "linode.image";
            if (l.image() != null && l.distro() != null && !l.image().equals(l.distro())) {
                problem("linode.distro", "differs from linode.image; linode.distro is the original's name for"
                        + " linode.image: keep one of them");
            }
            String image = l.image() != null ? l.image() : l.distro() != null ? l.distro() : "linode/debian12";
            if (LegacyValues.imageRetired(image)) {
                problem(imageField, "'" + image + "' is no longer offered by Linode; expected a current image such as"
                        + " linode/debian12 (what birdbath is tested on) or linode/ubuntu24.04");
            } else if (!SLUG.matcher(image).matches()) {
                problem(imageField, "'" + image + "' is not an image id; expected e.g. linode/debian12");
            }
            Secret token = null;
            if (l.token() != null && !l.token().isBlank()) {
                token = new Secret(l.token().trim());
                warning("linode.token", "a token in the config file can end up in version control; prefer the"
                        + " LINODE_TOKEN environment variable" + (env.containsKey("LINODE_TOKEN")
                        ? " (LINODE_TOKEN is set and wins)" : ""));
            }
            String apiUrl = env.getOrDefault("LINODE_API_URL",
                    l.apiUrl() == null ? "https://api.linode.com/v4" : l.apiUrl());
            if (!apiUrl.startsWith("http://") && !apiUrl.startsWith("https://")) {
                problem("linode.api_url", "'" + apiUrl + "' is not a URL; expected e.g. https://api.linode.com/v4");
            }
            Secret rootPass = null;
            if (l.rootPass() != null && !l.rootPass().isEmpty()) {
                if (l.rootPass().length() < 11 || l.rootPass().length() > 128) {
                    problem("linode.root_pass", "expected 11 to 128 characters (Linode also checks its strength);"
                            + " or leave it out and birdbath generates one");
                }
                rootPass = new Secret(l.rootPass());
            }
            List<String> keys = new ArrayList<>();
            List<String> given = new ArrayList<>();
            if (l.rootSshKey() != null) {
                given.add(l.rootSshKey());
            }
            if (l.sshKeys() != null) {
                given.addAll(l.sshKeys());
            }
            for (int i = 0; i < given.size(); i++) {
                String field = l.rootSshKey() != null && i == 0 ? "linode.root_ssh_key"
                        : "linode.ssh_keys[" + (i - (l.rootSshKey() != null ? 1 : 0)) + "]";
                String key = sshKey(given.get(i), configPath, field);
                if (key != null) {
                    keys.add(key);
                }
            }
            return new LinodeSpec(region, type, image, apiUrl, token, rootPass, List.copyOf(keys));
        }

        /** A public key given inline, or a path (relative to the config file, or ~/...) to a .pub file. */
        private String sshKey(String value, Path configPath, String field) {
            if (value == null || value.isBlank()) {
                problem(field, "empty; expected a public key ('ssh-ed25519 AAAA...') or the path of a .pub file");
                return null;
            }
            String v = value.trim();
            if (SSH_KEY.matcher(v).matches()) {
                return v;
            }
            Path p = v.startsWith("~/") ? Path.of(System.getProperty("user.home"), v.substring(2))
                    : configPath.toAbsolutePath().getParent().resolve(v);
            if (v.contains("PRIVATE KEY")) {
                problem(field, "this is a private key; expected a public key ('ssh-ed25519 AAAA...') or a .pub path");
                return null;
            }
            try {
                String content = Files.readString(p).trim();
                if (!SSH_KEY.matcher(content).matches()) {
                    problem(field, p + " does not hold an OpenSSH public key; expected a line like 'ssh-ed25519"
                            + " AAAA... comment' (give the .pub file, never the private key)");
                    return null;
                }
                return content;
            } catch (IOException e) {
                problem(field, "'" + v + "' is neither a public key nor a readable file (" + p + ")");
                return null;
            }
        }
    }

    private static <T> T orEmpty(T value, T empty) {
        return value == null ? empty : value;
    }
}
