package birdbath.twin;

import birdbath.BirdbathException;
import birdbath.host.Host;
import birdbath.sim.NodeBackend.Account;
import birdbath.sim.NodeBackend.Firewall;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Linode Cloud Firewalls as the simulator stores them, enforced on the twin's bridge (table bridge
 * birdbath_twin_ID, out of the machines' reach, as the real one is outside the VM): per attached machine, what
 * reaches its port is its inbound rules then its inbound policy, what leaves it its outbound ones. Rules know TCP,
 * UDP, ICMP and IPENCAP, so ESP never passes. Frames that are not IPv4 (ARP) pass. Rewritten whole, in one
 * transaction, after every change.
 *
 * <p>Linode's firewall is stateful; this kernel has no connection tracking on bridges (nf_conntrack_bridge), so the
 * twin's is stateless with two allowances in its place: TCP segments that carry an ACK (every segment of a
 * connection but the opening SYN, whichever side opened it) and the twin's own DNS answers pass. A new connection,
 * and every other packet, meets the rules.
 */
final class TwinFirewall {

    private static final Duration T = Duration.ofSeconds(30);

    private final String table;
    private final String resolver;

    /** {@code resolver}: the twin's DNS server, whose answers pass as they would through a stateful firewall. */
    TwinFirewall(String twinId, String resolver) {
        this.table = "birdbath_twin_" + twinId;
        this.resolver = resolver;
    }

    /** Makes the bridge table say what {@code account}'s enabled firewalls say; {@code port} names a machine's. */
    void apply(Account account, LongFunction<String> port) {
        String script = render(account, port);
        Host.Result r = Host.run(T, script.getBytes(java.nio.charset.StandardCharsets.UTF_8), "nft", "-f", "-");
        if (!r.ok()) {
            throw new BirdbathException("the firewall did not load: " + Host.tail(r.err()));
        }
    }

    /** Removes twin {@code twinId}'s table, if it is there. */
    static void remove(String twinId) {
        Host.run(T, "nft", "delete", "table", "bridge", "birdbath_twin_" + twinId);
    }

    String render(Account account, LongFunction<String> port) {
        StringBuilder chains = new StringBuilder();
        List<String> forward = new ArrayList<>();
        List<String> output = new ArrayList<>();
        List<String> input = new ArrayList<>();
        for (Firewall f : account.firewalls()) {
            if (!f.enabled()) {
                continue;
            }
            for (long linode : f.linodeIds()) {
                String p = port.apply(linode);
                forward.add("oifname \"" + p + "\" jump in_" + linode);
                forward.add("iifname \"" + p + "\" jump out_" + linode);
                output.add("oifname \"" + p + "\" jump in_" + linode); // the host to the machine
                input.add("iifname \"" + p + "\" jump out_" + linode); // the machine to the host
                chains.append(chain("in_" + linode, f.rules().path("inbound"), f.rules().path("inbound_policy"),
                        "saddr", "ip saddr " + resolver + " udp sport 53 accept"));
                chains.append(chain("out_" + linode, f.rules().path("outbound"), f.rules().path("outbound_policy"),
                        "daddr", "ip daddr " + resolver + " udp dport 53 accept"));
            }
        }
        StringBuilder s = new StringBuilder();
        // one transaction: the old table is replaced, never absent (create it first so that the delete cannot fail)
        s.append("table bridge ").append(table).append("\ndelete table bridge ").append(table).append("\n");
        s.append("table bridge ").append(table).append(" {\n");
        s.append(hook("forward", forward)).append(hook("output", output)).append(hook("input", input));
        s.append(chains).append("}\n");
        return s.toString();
    }

    private static String hook(String name, List<String> jumps) {
        StringBuilder s = new StringBuilder("  chain " + name + " {\n    type filter hook " + name
                + " priority filter; policy accept;\n");
        jumps.forEach(j -> s.append("    ").append(j).append("\n"));
        return s.append("  }\n").toString();
    }

    private static String chain(String name, JsonNode rules, JsonNode policy, String peer, String dns) {
        StringBuilder s = new StringBuilder("  chain " + name + " {\n");
        s.append("    meta protocol != ip accept\n");
        s.append("    tcp flags & ack == ack accept\n");
        s.append("    ").append(dns).append("\n");
        for (JsonNode rule : rules) {
            s.append("    ").append(rule(rule, peer)).append("\n");
        }
        s.append("    ").append(policy.asText("ACCEPT").equals("DROP") ? "drop" : "accept").append("\n  }\n");
        return s.toString();
    }

    /** One rule: "ip saddr { 198.18.0.0/24 } tcp dport { 22, 80-90 } accept". */
    static String rule(JsonNode rule, String peer) {
        StringBuilder s = new StringBuilder();
        List<String> addresses = new ArrayList<>();
        rule.path("addresses").path("ipv4").forEach(a -> addresses.add(a.asText()));
        boolean any = addresses.isEmpty() || addresses.contains("0.0.0.0/0");
        if (!rule.path("addresses").path("ipv4").isMissingNode() && addresses.isEmpty()) {
            return "# no IPv4 addresses: matches nothing";
        }
        if (!any) {
            s.append("ip ").append(peer).append(" { ").append(String.join(", ", addresses)).append(" } ");
        }
        String protocol = rule.path("protocol").asText();
        String ports = rule.path("ports").asText("").replace(" ", "");
        switch (protocol) {
            case "TCP", "UDP" -> {
                s.append("meta l4proto ").append(protocol.toLowerCase(java.util.Locale.ROOT)).append(" ");
                if (!ports.isEmpty()) {
                    s.append(protocol.toLowerCase(java.util.Locale.ROOT)).append(" dport { ")
                            .append(String.join(", ", ports.split(","))).append(" } ");
                }
            }
            case "ICMP" -> s.append("meta l4proto icmp ");
            case "IPENCAP" -> s.append("meta l4proto 4 ");
            default -> {
                return "# unknown protocol " + protocol + ": matches nothing";
            }
        }
        return s.append(rule.path("action").asText().equals("DROP") ? "drop" : "accept").toString();
    }
}
