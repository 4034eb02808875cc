package birdbath.config;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Values from the original project's config.yaml (2017) that Linode no longer offers, and what they became. */
final class LegacyValues {

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("g5-nanode-1", "g6-nanode-1"), Map.entry("g5-standard-1", "g6-standard-1"),
            Map.entry("g5-standard-2", "g6-standard-2"), Map.entry("g5-standard-4", "g6-standard-4"),
            Map.entry("g5-standard-6", "g6-standard-6"), Map.entry("g5-standard-8", "g6-standard-8"),
            Map.entry("linode1024", "g6-nanode-1"), Map.entry("linode2048", "g6-standard-1"),
            Map.entry("linode4096", "g6-standard-2"), Map.entry("linode8192", "g6-standard-4"));

    /** The old per-datacenter ids ("us-east-1a" was Newark). */
    private static final Map<String, String> REGIONS = Map.ofEntries(
            Map.entry("us-east-1a", "us-east"), Map.entry("us-south-1a", "us-central"),
            Map.entry("us-west-1a", "us-west"), Map.entry("us-southeast-1a", "us-southeast"),
            Map.entry("eu-west-1a", "eu-west"), Map.entry("eu-central-1a", "eu-central"),
            Map.entry("ap-northeast-1a", "ap-northeast"), Map.entry("ap-northeast-1b", "ap-northeast"),
            Map.entry("ap-south-1a", "ap-south"));

    private static final Pattern OLD_IMAGE = Pattern.compile("linode/(ubuntu)(\\d+)\\.(\\d+)|linode/(debian)(\\d+)");

    private LegacyValues() { }

    static Optional<String> type(String type) {
        return Optional.ofNullable(TYPES.get(type));
    }

    static Optional<String> region(String region) {
        return Optional.ofNullable(REGIONS.get(region));
    }

    /** Images that no longer exist are refused rather than mapped: changing the OS is the user's decision. */
    static boolean imageRetired(String image) {
        Matcher m = OLD_IMAGE.matcher(image);
        if (!m.matches()) {
            return false;
        }
        if (m.group(1) != null) {
            return Integer.parseInt(m.group(2)) < 22;
        }
        return Integer.parseInt(m.group(5)) < 12;
    }
}
