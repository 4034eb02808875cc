package birdbath.twin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Cloud Firewall rules in nftables' words (checked against Linode's rule fields in shared/reference). */
class TwinFirewallTest {

    private static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s);
    }

    @Test
    void eachProtocolPortsAndAddressesBecomeOneMatch() throws Exception {
        assertThat(TwinFirewall.rule(json("{\"action\":\"ACCEPT\",\"protocol\":\"TCP\",\"ports\":\"22, 80-90\","
                + "\"addresses\":{\"ipv4\":[\"198.18.0.0/24\",\"198.19.1.1/32\"]}}"), "saddr"))
                .isEqualTo("ip saddr { 198.18.0.0/24, 198.19.1.1/32 } meta l4proto tcp tcp dport { 22, 80-90 } accept");
        assertThat(TwinFirewall.rule(json("{\"action\":\"ACCEPT\",\"protocol\":\"UDP\","
                + "\"addresses\":{\"ipv4\":[\"0.0.0.0/0\"]}}"), "daddr")).isEqualTo("meta l4proto udp accept");
        assertThat(TwinFirewall.rule(json("{\"action\":\"DROP\",\"protocol\":\"ICMP\"}"), "saddr"))
                .isEqualTo("meta l4proto icmp drop");
        assertThat(TwinFirewall.rule(json("{\"action\":\"ACCEPT\",\"protocol\":\"IPENCAP\"}"), "saddr"))
                .isEqualTo("meta l4proto 4 accept");
        // IPv6-only rules match no IPv4 packet
        assertThat(TwinFirewall.rule(json("{\"action\":\"ACCEPT\",\"protocol\":\"TCP\",\"addresses\":"
                + "{\"ipv4\":[],\"ipv6\":[\"::/0\"]}}"), "saddr")).startsWith("#");
    }
}
