package birdbath.pki;

import java.time.Duration;
import java.util.List;

/**
 * What a certificate says: its common name, names and addresses, and what it may be used for.
 *
 * @param server EKU serverAuth
 * @param client EKU clientAuth
 */
public record CertRequest(String commonName, String organization, List<String> dnsNames, List<String> ips,
                          boolean server, boolean client, Duration validity) {

    public static final Duration TWO_YEARS = Duration.ofDays(730);

    /** The SANs as one sorted list ("DNS:x", "IP:1.2.3.4"), to compare with an issued certificate. */
    public List<String> sans() {
        return java.util.stream.Stream.concat(dnsNames.stream().map(d -> "DNS:" + d), ips.stream().map(i -> "IP:" + i))
                .distinct().sorted().toList();
    }
}
