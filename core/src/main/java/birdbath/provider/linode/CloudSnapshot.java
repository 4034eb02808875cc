package birdbath.provider.linode;

import birdbath.BirdbathException;
import birdbath.config.ClusterSpec;
import birdbath.linode.LinodeCloud;
import birdbath.linode.Resources.Domain;
import birdbath.linode.Resources.DomainRecord;
import birdbath.linode.Resources.Firewall;
import birdbath.linode.Resources.Instance;
import birdbath.linode.Resources.NodeBalancer;
import birdbath.linode.Resources.Volume;
import birdbath.linode.Resources.Vpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the cluster has in the account right now, found by its tag and its labels (never by trusting local
 * state). Nodes are keyed by their number n in {@code <cluster>-<n>}; tagged resources with other labels are
 * kept as strays (removed by `down`, left alone by `up`).
 */
record CloudSnapshot(Optional<Domain> domain, Map<Integer, Instance> instances, List<Instance> strayInstances,
                     Map<Integer, Volume> volumes, List<Volume> strayVolumes, Optional<Firewall> firewall,
                     Optional<Vpc> vpc, Optional<NodeBalancer> apiBalancer, Map<Integer, DomainRecord> records,
                     Map<String, DomainRecord> appRecords) {
    // apiBalancer: the NodeBalancer in front of the API servers (looked for whatever the config says, to remove it)
    // records: node number -> its A record; API_RECORD -> the API server's A record
    // appRecords: the apps' hosts (label within the domain) -> their A record (to the ingress node)

    /** The key of the API server's record ({@code <cluster>-api}) among the records by node number. */
    static final int API_RECORD = 0;

    static String apiLabel(ClusterSpec spec) {
        return spec.name() + "-api";
    }

    /** The record labels of the configured apps' hosts (their names without the domain). */
    static List<String> appLabels(ClusterSpec spec) {
        String suffix = "." + spec.domain();
        return spec.apps().hosts().stream().map(h -> h.substring(0, h.length() - suffix.length())).toList();
    }

    static String firewallLabel(ClusterSpec spec) {
        return spec.name() + "-fw";
    }

    static String vpcLabel(ClusterSpec spec) {
        return spec.name() + "-vpc";
    }

    /**
     * @param teardown for `down`: a missing domain is not an error, and a VPC is looked for whatever the
     *                 configured network mode (the cluster may have been created with another)
     */
    static CloudSnapshot take(ClusterSpec spec, LinodeCloud cloud, boolean teardown) {
        Pattern node = Pattern.compile("^" + Pattern.quote(spec.name()) + "-([1-9][0-9]*)$");
        Optional<Domain> domain = cloud.domain(spec.domain());
        if (domain.isEmpty() && !teardown) {
            throw new BirdbathException(spec.configFile() + ": cluster.domain: '" + spec.domain() + "' is not a domain"
                    + " in this Linode account; add it under Domains in Cloud Manager (Linode must host its DNS)"
                    + " or set cluster.domain to one that is");
        }
        Map<Integer, Instance> instances = new TreeMap<>();
        List<Instance> strays = new ArrayList<>();
        byNodeNumber(node, cloud.instancesTagged(spec.tag()), Instance::label, instances, strays);
        Map<Integer, Volume> volumes = new TreeMap<>();
        List<Volume> strayVolumes = new ArrayList<>();
        byNodeNumber(node, cloud.volumesTagged(spec.tag()), Volume::label, volumes, strayVolumes);
        Optional<Firewall> firewall = cloud.firewall(firewallLabel(spec));
        Optional<Vpc> vpc = spec.network().mode() == ClusterSpec.NetworkMode.VPC || teardown
                ? cloud.vpc(vpcLabel(spec)) : Optional.empty();
        Optional<NodeBalancer> apiBalancer = cloud.nodeBalancer(apiLabel(spec));
        if (apiBalancer.isPresent() && !apiBalancer.get().tags().contains(spec.tag())) {
            // not birdbath's: never rebuilt or removed by it; `up` cannot make its own under that label
            if (!teardown && spec.apiBalanced()) {
                throw new BirdbathException("a NodeBalancer labelled " + apiLabel(spec) + " exists without the tag "
                        + spec.tag() + ", so birdbath did not make it and will not change it; rename or remove it in"
                        + " Cloud Manager, or rename the cluster (cluster.name in " + spec.configFile() + ")");
            }
            apiBalancer = Optional.empty();
        }
        Map<Integer, DomainRecord> records = new TreeMap<>();
        Map<String, DomainRecord> appRecords = new TreeMap<>();
        List<String> appLabels = appLabels(spec);
        if (domain.isPresent()) {
            for (DomainRecord r : cloud.records(domain.get().id())) {
                Matcher m = node.matcher(r.name());
                if (r.type().equals("A") && m.matches()) {
                    records.put(Integer.parseInt(m.group(1)), r);
                } else if (r.type().equals("A") && r.name().equals(apiLabel(spec))) {
                    records.put(API_RECORD, r);
                } else if (r.type().equals("A") && appLabels.contains(r.name())) {
                    appRecords.put(r.name(), r);
                }
            }
        }
        return new CloudSnapshot(domain, instances, strays, volumes, strayVolumes, firewall, vpc, apiBalancer,
                records, appRecords);
    }

    /** Sorts resources labelled {@code <cluster>-<n>} by n; the others are strays. */
    private static <T> void byNodeNumber(Pattern node, List<T> resources, Function<T, String> label,
                                         Map<Integer, T> numbered, List<T> strays) {
        for (T r : resources) {
            Matcher m = node.matcher(label.apply(r));
            if (m.matches()) {
                numbered.put(Integer.parseInt(m.group(1)), r);
            } else {
                strays.add(r);
            }
        }
    }
}
