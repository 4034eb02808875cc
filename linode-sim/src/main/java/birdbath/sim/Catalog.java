package birdbath.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** The read-only part of the API: instance types with prices, regions, images, volume types. */
final class Catalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<ObjectNode> types = new ArrayList<>();
    final List<ObjectNode> regions = new ArrayList<>();
    final List<ObjectNode> images = new ArrayList<>();
    final List<ObjectNode> volumeTypes = new ArrayList<>();
    final List<ObjectNode> nodeBalancerTypes = new ArrayList<>();

    Catalog() {
        type("g6-nanode-1", "Nanode 1 GB", "nanode", 1, 1024, 25600, 5);
        type("g6-standard-1", "Linode 2 GB", "standard", 1, 2048, 51200, 12);
        type("g6-standard-2", "Linode 4 GB", "standard", 2, 4096, 81920, 24);
        type("g6-standard-4", "Linode 8 GB", "standard", 4, 8192, 163840, 48);
        type("g6-standard-6", "Linode 16 GB", "standard", 6, 16384, 327680, 96);
        type("g6-standard-8", "Linode 32 GB", "standard", 8, 32768, 655360, 192);
        type("g6-dedicated-2", "Dedicated 4 GB", "dedicated", 2, 4096, 81920, 36);
        type("g6-dedicated-4", "Dedicated 8 GB", "dedicated", 4, 8192, 163840, 72);
        for (String[] r : new String[][] {
                {"us-east", "Newark, NJ", "us"}, {"us-central", "Dallas, TX", "us"}, {"us-west", "Fremont, CA", "us"},
                {"us-southeast", "Atlanta, GA", "us"}, {"us-ord", "Chicago, IL", "us"}, {"us-iad", "Washington, DC", "us"},
                {"ca-central", "Toronto, CA", "ca"}, {"eu-west", "London, UK", "gb"}, {"eu-central", "Frankfurt, DE", "de"},
                {"ap-south", "Singapore, SG", "sg"}, {"ap-northeast", "Tokyo, JP", "jp"}, {"ap-southeast", "Sydney, AU", "au"}}) {
            ObjectNode region = JSON.createObjectNode().put("id", r[0]).put("label", r[1]).put("country", r[2])
                    .put("status", "ok").put("site_type", "core");
            ArrayNode caps = region.putArray("capabilities");
            for (String c : new String[] {"Linodes", "NodeBalancers", "Block Storage", "Cloud Firewall", "VPCs",
                    "Vlans", "Metadata"}) {
                caps.add(c);
            }
            regions.add(region);
        }
        // "cloud-init": the images whose instances read metadata.user_data (linode/debian12 has it, as recorded in
        // linodego's fixtures); the sim's one image without it stands for those Linode lists without
        image("linode/debian12", "Debian 12", "Debian", "cloud-init");
        image("linode/debian13", "Debian 13", "Debian", "cloud-init");
        image("linode/ubuntu22.04", "Ubuntu 22.04 LTS", "Ubuntu", "cloud-init");
        image("linode/ubuntu24.04", "Ubuntu 24.04 LTS", "Ubuntu", "cloud-init");
        image("linode/slackware15.0", "Slackware 15.0", "Slackware");
        ObjectNode volume = JSON.createObjectNode().put("id", "volume").put("label", "Storage Volume")
                .put("transfer", 0);
        volume.putObject("price").put("hourly", 0.00015).put("monthly", 0.1);
        volume.putArray("region_prices");
        volumeTypes.add(volume);
        // the spec's shape (GET /nodebalancers/types); the price is Linode's published $10 a month
        ObjectNode balancer = JSON.createObjectNode().put("id", "nodebalancer").put("label", "NodeBalancer")
                .put("transfer", 0);
        balancer.putObject("price").put("hourly", 0.015).put("monthly", 10.0);
        balancer.putArray("region_prices");
        nodeBalancerTypes.add(balancer);
    }

    private void type(String id, String label, String typeClass, int vcpus, int memory, int disk, double monthly) {
        ObjectNode t = JSON.createObjectNode().put("id", id).put("label", label).put("class", typeClass)
                .put("vcpus", vcpus).put("memory", memory).put("disk", disk).put("transfer", vcpus * 1000)
                .put("network_out", 1000 * vcpus).put("gpus", 0).putNull("successor");
        t.putObject("price").put("hourly", Math.round(monthly / 730 * 10000) / 10000.0).put("monthly", monthly);
        t.putArray("region_prices");
        types.add(t);
    }

    private void image(String id, String label, String vendor, String... capabilities) {
        ObjectNode image = JSON.createObjectNode().put("id", id).put("label", label).put("vendor", vendor)
                .put("is_public", true).put("deprecated", false).put("type", "manual").put("status", "available")
                .put("size", 4000);
        ArrayNode caps = image.putArray("capabilities");
        for (String c : capabilities) {
            caps.add(c);
        }
        images.add(image);
    }

    ObjectNode find(List<ObjectNode> list, String id) {
        for (ObjectNode n : list) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        return null;
    }
}
