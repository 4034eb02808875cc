package birdbath.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/** The field checks the real API applies, with its wording. */
final class Validate {

    static final Pattern LINODE_LABEL = Pattern.compile("^[a-zA-Z]((?!--|__|\\.\\.)[a-zA-Z0-9-_.])+$");
    static final Pattern VOLUME_LABEL = Pattern.compile("^[a-zA-Z]((?!--|__)[a-zA-Z0-9-_])+$");
    static final Pattern VPC_LABEL = Pattern.compile("^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$");
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

    private Validate() { }

    static String requiredText(Request r, String field) {
        String v = r.text(field);
        if (v == null || v.isEmpty()) {
            throw ApiError.badRequest(field, field + " is required");
        }
        return v;
    }

    static void label(String field, String label, Pattern pattern, int min, int max) {
        if (label.length() < min || label.length() > max) {
            throw ApiError.badRequest(field, "Length must be " + min + "-" + max + " characters");
        }
        if (!pattern.matcher(label).matches()) {
            throw ApiError.badRequest(field, "Label must begin with a letter and may only consist of letters, numbers"
                    + " and the characters - _ . (no two in a row)");
        }
    }

    static void rootPass(String pass) {
        if (pass.length() < 7 || pass.length() > 128) {
            throw ApiError.badRequest("root_pass", "Length must be 7-128 characters");
        }
        int classes = 0;
        classes += pass.chars().anyMatch(Character::isLowerCase) ? 1 : 0;
        classes += pass.chars().anyMatch(Character::isUpperCase) ? 1 : 0;
        classes += pass.chars().anyMatch(Character::isDigit) ? 1 : 0;
        classes += pass.chars().anyMatch(c -> !Character.isLetterOrDigit(c)) ? 1 : 0;
        if (classes < 3 || pass.length() < 11) {
            throw ApiError.badRequest("root_pass", "Password does not meet strength requirement.");
        }
    }

    /**
     * metadata.user_data of a create: base64 (the spec's format byte) of at most 65535 bytes ("Unencoded data must
     * not exceed 65535 bytes"); null without one. The reasons are the simulator's own (no recorded real ones).
     */
    static byte[] userData(JsonNode metadata) {
        JsonNode v = metadata.path("user_data");
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = java.util.Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("metadata.user_data", "user_data must be base64-encoded");
        }
        if (decoded.length > 65535) {
            throw ApiError.badRequest("metadata.user_data", "user_data must not exceed 65535 bytes before encoding");
        }
        return decoded;
    }

    static long ipv4ToLong(String ip) {
        var m = IPV4.matcher(ip);
        if (!m.matches()) {
            return -1;
        }
        long v = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                return -1;
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    static String longToIpv4(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    /** [network, prefix] of an IPv4 CIDR, or null when it is not one. */
    static long[] cidr(String cidr) {
        String[] parts = cidr.split("/", 2);
        if (parts.length != 2) {
            return null;
        }
        long ip = ipv4ToLong(parts[0]);
        int prefix;
        try {
            prefix = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return null;
        }
        if (ip < 0 || prefix < 0 || prefix > 32) {
            return null;
        }
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        return new long[] {ip & mask, prefix};
    }

    static boolean inCidr(long ip, long[] cidr) {
        long mask = cidr[1] == 0 ? 0 : (0xFFFFFFFFL << (32 - cidr[1])) & 0xFFFFFFFFL;
        return (ip & mask) == cidr[0];
    }

    static void stringArray(JsonNode node, String field) {
        if (!node.isNull() && !node.isArray()) {
            throw ApiError.badRequest(field, field + " must be an array");
        }
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw ApiError.badRequest(field, field + " must contain strings");
            }
        }
    }
}
