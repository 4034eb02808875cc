package birdbath.config;

/** An IPv4 range in CIDR notation, with the little arithmetic the config and the providers need. */
public record Cidr(long network, int prefix) {

    /** Linode VPC subnets reserve their first two addresses (network, gateway) and the last. */
    public static final int FIRST_HOST_OFFSET = 2;

    public static Cidr parse(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.trim().split("/", 2);
        long ip = toLong(parts[0]);
        if (ip < 0) {
            return null;
        }
        int prefix = 32;
        if (parts.length == 2) {
            try {
                prefix = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (prefix < 0 || prefix > 32) {
                return null;
            }
        }
        return new Cidr(ip & mask(prefix), prefix);
    }

    public static long toLong(String ip) {
        String[] octets = ip.split("\\.", -1);
        if (octets.length != 4) {
            return -1;
        }
        long v = 0;
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            int n = Integer.parseInt(o);
            if (n > 255) {
                return -1;
            }
            v = (v << 8) | n;
        }
        return v;
    }

    public static String toIp(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    public boolean contains(long ip) {
        return (ip & mask(prefix)) == network;
    }

    public boolean overlaps(Cidr other) {
        int p = Math.min(prefix, other.prefix);
        return (network & mask(p)) == (other.network & mask(p));
    }

    public boolean isPrivate() {
        return parse("10.0.0.0/8").contains(network) && prefix >= 8
                || parse("172.16.0.0/12").contains(network) && prefix >= 12
                || parse("192.168.0.0/16").contains(network) && prefix >= 16;
    }

    /** The address of the n-th host (n from 0) after the reserved ones. */
    public String host(int n) {
        return toIp(network + FIRST_HOST_OFFSET + n);
    }

    @Override
    public String toString() {
        return toIp(network) + "/" + prefix;
    }
}
