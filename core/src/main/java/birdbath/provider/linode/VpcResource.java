package birdbath.provider.linode;

import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.NetworkMode;
import birdbath.linode.LinodeCloud;
import birdbath.linode.Resources.Vpc;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/** The cluster's VPC `<cluster>-vpc` with one subnet (networking.mode: vpc); none in private-ip mode. */
record VpcResource(ClusterSpec spec, LinodeCloud cloud, Reporter out) {

    private static final ObjectMapper JSON = new ObjectMapper();

    List<CloudAction> diff(CloudSnapshot s) {
        if (spec.network().mode() != NetworkMode.VPC || s.vpc().isPresent()) {
            return List.of();
        }
        String label = CloudSnapshot.vpcLabel(spec);
        return List.of(CloudAction.create("vpc", label, "subnet " + spec.network().vpcSubnet() + " in "
                + spec.linode().region(), () -> {
                    ObjectNode body = JSON.createObjectNode().put("label", label)
                            .put("region", spec.linode().region())
                            .put("description", "birdbath cluster " + spec.name());
                    body.putArray("subnets").addObject().put("label", "nodes").put("ipv4", spec.network().vpcSubnet());
                    Vpc vpc = cloud.createVpc(body);
                    out.info("  + vpc " + vpc.label() + " created (" + spec.network().vpcSubnet() + ")");
                }));
    }

    /** Creates the VPC if missing; the VPC the nodes join (none in private-ip mode). */
    Optional<Vpc> ensure(CloudSnapshot s) {
        if (spec.network().mode() != NetworkMode.VPC || s.vpc().isPresent()) {
            return s.vpc();
        }
        diff(s).forEach(a -> a.apply().run());
        return cloud.vpc(CloudSnapshot.vpcLabel(spec));
    }
}
