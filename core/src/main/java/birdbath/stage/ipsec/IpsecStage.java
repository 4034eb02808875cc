package birdbath.stage.ipsec;

import birdbath.Shell;
import birdbath.config.ClusterSpec.Dataplane;
import birdbath.pki.Pem;
import birdbath.pki.Pki;
import birdbath.provider.Node;
import birdbath.remote.NodeFile;
import birdbath.remote.Step;
import birdbath.remote.Step.EnsurePackages;
import birdbath.remote.Step.RunUnless;
import birdbath.stage.CheckResult;
import birdbath.stage.NodeSteps;
import birdbath.stage.Stage;
import birdbath.stage.StageContext;
import birdbath.stage.StageRun;
import birdbath.stage.Template;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificate-based strongSwan (swanctl) between every pair of nodes' private addresses, identities being the
 * addresses in the node certificates' SANs, peers accepted only with a certificate from the cluster CA. The
 * keeper on every node initiates (the lower-numbered node of a pair first, the other if the SA stays missing;
 * a new SA replaces a stale one from the same peer); an nftables guard drops
 * plaintext between members. A config change reloads connections (swanctl --load-all) without restarting
 * charon, so existing SAs stay up when a node joins.
 */
public final class IpsecStage implements Stage {

    static final String SWANCTL = "/etc/swanctl/conf.d/birdbath.conf";
    static final String STRONGSWAN = "/etc/strongswan.d/charon/zz-birdbath.conf";
    static final String NODE_CERT = "/etc/swanctl/x509/birdbath-node.crt";
    static final String NODE_KEY = "/etc/swanctl/private/birdbath-node.key";
    static final String CA_PREFIX = "/etc/swanctl/x509ca/birdbath-ca-";
    static final String KEEPER = "/etc/birdbath/ipsec-keeper.sh";
    static final String GUARD = "/etc/birdbath/ipsec-guard.nft";
    static final String CHARON_UNIT = "birdbath-ipsec.service";
    static final String KEEPER_UNIT = "birdbath-ipsec-keeper.service";
    static final String GUARD_UNIT = "birdbath-ipsec-guard.service";
    static final String GUARD_TABLE = "inet birdbath_ipsec";
    /**
     * What the stage runs on: charon and swanctl, the P-256 and AES-GCM proposals (standard plugins: only
     * recommended by charon), curve25519 (extra plugins: only suggested), libipsec (charon's extra plugins), nft
     * for the guard, ping for the check. Fresh Linode images have none of the strongSwan ones.
     */
    public static final List<String> PACKAGES = List.of("strongswan-charon", "strongswan-swanctl",
            "libcharon-extra-plugins", "libstrongswan-standard-plugins", "libstrongswan-extra-plugins", "nftables",
            "iputils-ping");
    /** strongswan-charon pulls in strongswan-starter, whose service would run a second charon on UDP 500/4500. */
    static final String STARTER = "strongswan-starter.service";

    @Override
    public String name() {
        return "ipsec";
    }

    private static List<Node> peers(List<Node> nodes, Node node) {
        return nodes.stream().filter(n -> !n.name().equals(node.name())).toList();
    }

    @Override
    public List<NodeFile> files(StageContext context, Node node) {
        Pki pki = new Pki(context.spec());
        boolean userspace = context.spec().ipsecDataplane() == Dataplane.USERSPACE;
        List<Node> peers = peers(context.nodes(), node);
        List<NodeFile> files = new ArrayList<>();
        List<X509Certificate> bundle = pki.bundle();
        List<String> cacerts = new ArrayList<>();
        for (int i = 0; i < bundle.size(); i++) {
            files.add(NodeFile.of(CA_PREFIX + i + ".crt", Pem.encode(bundle.get(i))));
            cacerts.add("birdbath-ca-" + i + ".crt");
        }
        files.add(NodeFile.of(NODE_CERT, Pem.encode(pki.nodeCertificate(node))));
        files.add(NodeFile.of(NODE_KEY, pki.nodeFiles(node).get("node.key")).asSecret());
        String mode = userspace ? "tunnel" : "transport";
        List<Template.Fragment> blocks = new ArrayList<>();
        for (Node peer : peers) {
            // kernel ESP traps traffic and negotiates on demand, but only on the lower-numbered node of a pair:
            // were both ends to trap, both would initiate at boot and their IKE_SAs could replace each other
            // (unique = replace). The higher one's keeper initiates if the SA stays missing. libipsec has no
            // traps at all, so there the keeper initiates on both ends, the lower one first.
            String start = !userspace && node.index() < peer.index() ? "trap" : "none";
            blocks.add(Template.fragment("ipsec/peer.conf", Map.of("peer", peer.name(), "peer_ip", peer.privateIp(),
                    "me", node.privateIp(), "cacerts", String.join(",", cacerts), "mode", mode,
                    "start_action", start, "close_action", start)));
        }
        files.add(NodeFile.of(SWANCTL, Template.render("ipsec/swanctl.conf", Map.of("name", node.name(),
                "me", node.privateIp(), "peers", Template.Fragment.concat(blocks)))));
        files.add(NodeFile.of(STRONGSWAN, Template.render(userspace ? "ipsec/strongswan-userspace.conf"
                : "ipsec/strongswan-kernel.conf", Map.of())).restartsUnit(CHARON_UNIT));
        files.add(NodeFile.of(KEEPER, Template.render("ipsec/ipsec-keeper.sh", Map.of(
                "lead", names(peers.stream().filter(p -> node.index() < p.index()).toList()),
                "follow", names(peers.stream().filter(p -> node.index() > p.index()).toList()))))
                .withMode("755").restartsUnit(KEEPER_UNIT));
        files.add(NodeFile.of(GUARD, Template.render(userspace ? "ipsec/guard-userspace.nft" : "ipsec/guard-kernel.nft",
                Map.of("members", Template.Fragment.join(", ", guardMembers(peers))))));
        for (String unit : List.of(CHARON_UNIT, KEEPER_UNIT)) {
            files.add(NodeFile.of(NodeFile.UNITS + unit, Template.render("ipsec/" + unit, Map.of()))
                    .restartsUnit(unit));
        }
        // the guard's unit is never restarted (the table is reloaded with nft -f): a changed unit reloads systemd
        files.add(NodeFile.of(NodeFile.UNITS + GUARD_UNIT, Template.render("ipsec/" + GUARD_UNIT, Map.of())));
        return files;
    }

    /** The addresses the guard holds: the peers' (a placeholder no packet comes from for a single node). */
    private static List<String> guardMembers(List<Node> peers) {
        return peers.isEmpty() ? List.of("127.0.0.2") : peers.stream().map(Node::privateIp).toList();
    }

    /** Succeeds when the kernel's guard set holds exactly {@code members}. */
    private static String guardHolds(List<String> members) {
        String want = String.join(" ", members.stream().sorted().toList()) + " ";
        return "[ \"$(nft list set " + GUARD_TABLE + " members 2>/dev/null | grep -o '[0-9]*\\.[0-9]*\\.[0-9]*\\.[0-9]*'"
                + " | LC_ALL=C sort | tr '\\n' ' ')\" = " + Shell.quote(want) + " ]";
    }

    private static String names(List<Node> nodes) {
        return String.join(" ", nodes.stream().map(Node::name).toList());
    }

    private List<Step> steps(StageRun run, Node node) {
        NodeSteps steps = new NodeSteps(files(run.context(), node));
        // the connections load again when what they are made of changed: the config, the certificates, the key
        List<String> connections = steps.paths(f -> f.path().startsWith("/etc/swanctl/"));
        // masked before the packages arrive, so that installing them never starts the starter's charon
        return steps.add(new RunUnless("mask the packaged " + STARTER, "systemctl mask --now " + STARTER,
                        "[ \"$(systemctl is-enabled " + STARTER + " 2>/dev/null)\" = masked ]"))
                .add(new EnsurePackages(PACKAGES))
                .putRest()
                // what the kernel holds, not whether the file changed in this run: a table someone deleted (nft
                // flush ruleset), or a member list a failed run wrote but never loaded, is loaded again. The file
                // replaces the table in one transaction, so the unit is never restarted for it
                .add(new RunUnless("plaintext guard holds every member", "nft -f " + GUARD,
                        guardHolds(guardMembers(peers(run.nodes(), node)))))
                .unit(GUARD_UNIT)
                .unit(CHARON_UNIT)
                .add(new RunUnless("load connections", "swanctl --load-all --noprompt", null, connections))
                .unit(KEEPER_UNIT)
                .build();
    }

    @Override
    public void converge(StageRun run) {
        run.engine().converge(name(), run.nodes(), node -> steps(run, node));
    }

    private static final Pattern PROBE = Pattern.compile("(\\S+) (\\d+) (\\d+) (\\d+) (\\d+) (\\d+)");
    private static final String KERNEL_ERROR = "kernel-error:";

    /**
     * Per pair: the CHILD SA is installed, and a ping to the peer is counted by it (its inbound packet counter
     * rises). Waits a little for SAs that are still being negotiated or replaced.
     */
    @Override
    public List<CheckResult> check(StageRun run) {
        Map<String, String> outputs = run.engine().onEach("check " + name(), run.nodes(), c -> {
            Node node = run.nodes().stream().filter(n -> n.name().equals(c.node())).findFirst().orElseThrow();
            StringBuilder script = new StringBuilder("count() { swanctl --list-sas --child \"$1\" 2>/dev/null | awk"
                    + " '$1==\"in\" { for (i = 2; i <= NF; i++) if ($i ~ /^packets/) s += $(i-1) } END { print s+0 }'; }\n");
            for (Node peer : peers(run.nodes(), node)) {
                String p = peer.name();
                script.append("i=0; until swanctl --list-sas --child ").append(p).append(" 2>/dev/null | grep -q")
                        .append(" INSTALLED || [ $i -ge 20 ]; do i=$((i+1)); sleep 0.5; done\n")
                        .append("installed=$(swanctl --list-sas --child ").append(p).append(" 2>/dev/null | grep -c")
                        // SAs that are being replaced (a peer back from a reboot re-authenticates) may carry a ping
                        // uncounted: up to 5 tries, a second apart, before calling it a miss
                        .append(" INSTALLED); j=0; while :; do before=$(count ").append(p)
                        .append("); ping -c 3 -i 0.2 -W 2 -q ").append(peer.privateIp())
                        .append(" >/dev/null 2>&1; rc=$?; after=$(count ").append(p).append(");")
                        .append(" j=$((j+1)); if [ $rc -ne 0 ] || [ $after -gt $before ] || [ $j -ge 5 ]; then break;")
                        .append(" fi; sleep 1; done; ike=$(swanctl --list-sas --ike ").append(p)
                        .append(" 2>/dev/null | grep -c ESTABLISHED); echo ").append(p)
                        .append(" $installed $before $after $rc $ike\n");
            }
            // can this kernel hold an ESP SA at all (the proposal's AES-GCM, on loopback, removed at once)?
            script.append("if e=$(ip xfrm state add src 127.0.0.1 dst 127.0.0.1 proto esp spi 0xbb0000e5 mode")
                    .append(" transport aead 'rfc4106(gcm(aes))' 0x").append("00".repeat(36)).append(" 128 2>&1);")
                    .append(" then ip xfrm state delete src 127.0.0.1 dst 127.0.0.1 proto esp spi 0xbb0000e5;")
                    .append(" echo ").append(KERNEL_ERROR).append("; else echo \"").append(KERNEL_ERROR)
                    .append(" $e\"; fi\n");
            // the guard: its table there, every peer in its set
            script.append("if nft list table ").append(GUARD_TABLE).append(" >/dev/null 2>&1; then g=; for ip in");
            peers(run.nodes(), node).forEach(p -> script.append(' ').append(p.privateIp()));
            script.append("; do nft get element ").append(GUARD_TABLE).append(" members \"{ $ip }\" >/dev/null 2>&1")
                    .append(" || g=\"$g $ip\"; done; echo \"guard:$g\"; else echo guard-missing; fi\n");
            return c.exec(script.toString()).out();
        });
        List<CheckResult> results = new ArrayList<>();
        for (Node node : run.nodes()) {
            Map<String, long[]> byPeer = new LinkedHashMap<>();
            for (String line : outputs.getOrDefault(node.name(), "").split("\n")) {
                Matcher m = PROBE.matcher(line.strip());
                if (m.matches()) {
                    byPeer.put(m.group(1), new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6))});
                }
            }
            results.add(guardResult(node.name(), outputs.getOrDefault(node.name(), "")));
            String kernelError = outputs.getOrDefault(node.name(), "").lines().map(String::strip)
                    .filter(l -> l.startsWith(KERNEL_ERROR)).map(l -> l.substring(KERNEL_ERROR.length()).strip())
                    .findFirst().orElse("");
            for (Node peer : peers(run.nodes(), node)) {
                String probe = "SA with " + peer.name();
                long[] v = byPeer.get(peer.name());
                if (v == null) {
                    results.add(CheckResult.failed(name(), node.name(), probe, "no answer from the probe"));
                } else if (v[0] == 0 && v[4] > 0) {
                    results.add(CheckResult.failed(name(), node.name(), probe, "IKE SA established, but no CHILD SA"
                            + " installed" + (kernelError.isEmpty() ? "" : ": this kernel cannot hold an ESP SA (ip xfrm: "
                            + kernelError + "); a kernel without ESP needs ipsec.dataplane: userspace")));
                } else if (v[0] == 0) {
                    results.add(CheckResult.failed(name(), node.name(), probe, "no CHILD SA installed"));
                } else if (v[3] != 0) {
                    results.add(CheckResult.failed(name(), node.name(), probe, "ping " + peer.privateIp()
                            + " got no answer through the tunnel"));
                } else if (v[2] <= v[1]) {
                    results.add(CheckResult.failed(name(), node.name(), probe, "ping answered, but not through the"
                            + " SA (its packet counter stayed at " + v[1] + ")"));
                } else {
                    results.add(CheckResult.ok(name(), node.name(), probe));
                }
            }
        }
        return results;
    }

    private CheckResult guardResult(String node, String output) {
        String probe = "plaintext guard";
        String line = output.lines().map(String::strip).filter(l -> l.startsWith("guard")).findFirst().orElse("");
        String fix = " (`birdbath up --only ipsec` loads it again)";
        if (line.equals("guard-missing")) {
            return CheckResult.failed(name(), node, probe, "nftables table " + GUARD_TABLE + " is gone: plaintext"
                    + " to and from members is not dropped" + fix);
        }
        if (!line.startsWith("guard:")) {
            return CheckResult.failed(name(), node, probe, "no answer from the probe");
        }
        String missing = line.substring("guard:".length()).strip();
        return CheckResult.of(name(), node, probe, missing.isEmpty(),
                "the guard does not cover " + String.join(", ", missing.split(" ")) + fix);
    }
}
