package birdbath.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.Birdbath;
import birdbath.BirdbathException;
import birdbath.plan.Change;
import birdbath.plan.Plan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * For every kind of resource and every kind of change, what `plan` announces is what `up` then does: each
 * announced change is matched, by kind, with the mutating calls linode-sim received (the firewall's "attach"
 * once per node it names), and no call is left over. Detaching a volume is part of moving or removing it.
 */
class PlanMatchesUpTest {

    private static final List<String> PROVISION = List.of("provision");

    /** A successful mutating call, by its method and path, and the change it carries out. */
    private static final Map<Pattern, String> CALLS = Map.ofEntries(
            Map.entry(Pattern.compile("POST .*/vpcs"), "vpc +"),
            Map.entry(Pattern.compile("POST .*/networking/firewalls"), "firewall +"),
            Map.entry(Pattern.compile("PUT .*/networking/firewalls/\\d+/rules"), "firewall ~ rules"),
            Map.entry(Pattern.compile("POST .*/networking/firewalls/\\d+/devices"), "firewall ~ attach"),
            Map.entry(Pattern.compile("POST .*/linode/instances"), "instance +"),
            Map.entry(Pattern.compile("DELETE .*/linode/instances/\\d+"), "instance -"),
            Map.entry(Pattern.compile("POST .*/volumes"), "volume +"),
            Map.entry(Pattern.compile("POST .*/volumes/\\d+/attach"), "volume ~"),
            Map.entry(Pattern.compile("POST .*/volumes/\\d+/resize"), "volume ~"),
            Map.entry(Pattern.compile("DELETE .*/volumes/\\d+"), "volume -"),
            Map.entry(Pattern.compile("POST .*/domains/\\d+/records"), "dns +"),
            Map.entry(Pattern.compile("PUT .*/domains/\\d+/records/\\d+"), "dns ~"),
            Map.entry(Pattern.compile("DELETE .*/domains/\\d+/records/\\d+"), "dns -"),
            Map.entry(Pattern.compile("POST .*/nodebalancers"), "nodebalancer +"),
            Map.entry(Pattern.compile("POST .*/nodebalancers/\\d+/configs(/\\d+/rebuild)?"), "nodebalancer ~"),
            Map.entry(Pattern.compile("DELETE .*/nodebalancers/\\d+"), "nodebalancer -"));
    private static final Pattern DETACH = Pattern.compile("POST .*/volumes/\\d+/detach");
    private static final Pattern REQUEST = Pattern.compile("(\\S+ \\S+) (\\d+)");

    @TempDir
    Path dir;

    /** What the plan announces, counted by kind and symbol (the firewall's updates by what they change). */
    private static Map<String, Integer> announced(Plan plan) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Change c : plan.changes()) {
            String key = c.kind() + " " + c.symbol();
            if (c.kind().equals("firewall") && c.symbol() == '~') {
                if (c.detail().startsWith("attach ")) {
                    counts.merge(key + " attach", c.detail().substring("attach ".length()).split(", ").length,
                            Integer::sum);
                    continue;
                }
                key += " rules";
            }
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }

    /** What the simulator was asked to change, counted the same way; an unknown call fails the test. */
    private static Map<String, Integer> made(List<String> requests) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String r : requests) {
            Matcher m = REQUEST.matcher(r);
            assertThat(m.matches()).as(r).isTrue();
            int status = Integer.parseInt(m.group(2));
            String call = m.group(1).replaceAll("\\?.*", "");
            if (status < 200 || status > 299 || DETACH.matcher(call).matches()) {
                continue;
            }
            String change = CALLS.entrySet().stream().filter(e -> e.getKey().matcher(call).matches())
                    .map(Map.Entry::getValue).findFirst().orElse("unexpected call " + call);
            counts.merge(change, 1, Integer::sum);
        }
        return counts;
    }

    /** Plans, applies, and compares; returns the plan. */
    private static Plan planThenUp(SimFixture f, Birdbath b, boolean allowRemovals) {
        Plan plan = b.plan();
        f.sim.stats().reset();
        b.up(PROVISION, null, allowRemovals);
        assertThat(made(f.sim.stats().mutating())).as("calls of `up` against `plan`:\n" + plan.render())
                .isEqualTo(announced(plan));
        assertThat(b.plan().isEmpty()).as("a second plan").isTrue();
        return plan;
    }

    @Test
    void everyKindOfChangeInAVpcClusterIsWhatPlanSaid() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            String apps = "apps:\n  acme_email: me@example.com\n";
            Plan fresh = planThenUp(f, f.birdbath(f.config("demo", 3, apps)), false);
            assertThat(announced(fresh)).containsEntry("vpc +", 1).containsEntry("firewall +", 1)
                    .containsEntry("instance +", 3).containsEntry("volume +", 3).containsKey("dns +");
            assertThat(fresh.changes()).filteredOn(c -> c.kind().equals("firewall")).singleElement()
                    .satisfies(c -> assertThat(c.detail()).contains("8883"));

            Plan grown = planThenUp(f, f.birdbath(f.config("demo", 4, apps)), false);
            assertThat(announced(grown)).containsEntry("instance +", 1).containsEntry("volume +", 1)
                    .containsEntry("dns +", 1);

            String narrowed = apps + "networking:\n  allowed_cidrs: [203.0.113.0/24]\n";
            Plan opened = planThenUp(f, f.birdbath(f.config("demo", 4, narrowed)), false);
            assertThat(announced(opened)).containsExactly(Map.entry("firewall ~ rules", 1));

            long volume = id(f, "/volumes", "demo-2");
            call(f, "POST", "/volumes/" + volume + "/detach");
            Plan moved = planThenUp(f, f.birdbath(f.config("demo", 4, narrowed)), false);
            assertThat(announced(moved)).containsExactly(Map.entry("volume ~", 1));

            Plan shrunk = planThenUp(f, f.birdbath(f.config("demo", 3, narrowed)), true);
            assertThat(announced(shrunk)).containsEntry("instance -", 1).containsEntry("volume -", 1)
                    .containsEntry("dns -", 1);
        }
    }

    /** storage.volume_size_gb raised: each volume resized through the API, as announced; lowered: refused. */
    @Test
    void raisingTheVolumeSizeResizesAsPlanSaidAndLoweringItIsRefused() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            planThenUp(f, f.birdbath(f.config("demo", 3, "")), false);
            Plan grown = planThenUp(f, f.birdbath(f.config("demo", 3, "storage:\n  volume_size_gb: 30\n")), false);
            assertThat(announced(grown)).containsExactly(Map.entry("volume ~", 3));
            assertThat(grown.render()).contains("resize 20 -> 30 GB");
            assertThat(f.api("GET", "/volumes", null).path("data").findValuesAsText("size"))
                    .containsExactly("30", "30", "30");
            Birdbath lowered = f.birdbath(f.config("demo", 3, "storage:\n  volume_size_gb: 25\n"));
            String why = "storage.volume_size_gb is 25 but volume demo-1 has 30 GB: volumes only grow (neither a"
                    + " Linode volume nor the XFS brick on it can shrink), so set it to 30 or more";
            assertThatThrownBy(lowered::plan).isInstanceOf(BirdbathException.class).hasMessage(why);
            assertThatThrownBy(() -> lowered.up(PROVISION, null, true)).isInstanceOf(BirdbathException.class)
                    .hasMessage(why);
        }
    }

    @Test
    void privateIpFirewallRulesFollowTheNodesAsPlanSaid() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            String legacy = "networking:\n  mode: private-ip\n";
            Plan fresh = planThenUp(f, f.birdbath(f.config("demo", 2, legacy)), false);
            assertThat(announced(fresh)).containsEntry("firewall +", 1).containsEntry("firewall ~ rules", 1)
                    .doesNotContainKey("vpc +");
            Plan grown = planThenUp(f, f.birdbath(f.config("demo", 3, legacy)), false);
            assertThat(announced(grown)).containsEntry("firewall ~ rules", 1).containsEntry("instance +", 1);
        }
    }

    /** Three API servers behind a NodeBalancer, then one without it, in both network modes. */
    @Test
    void theApisNodeBalancerComesAndGoesAsPlanSaid() throws Exception {
        try (SimFixture f = new SimFixture(dir)) {
            for (String mode : List.of("vpc", "private-ip")) {
                String network = "networking:\n  mode: " + mode + "\n";
                String name = mode.equals("vpc") ? "demo" : "legacy";
                Plan ha = planThenUp(f, f.birdbath(f.config(name, 3, network + "kubernetes:\n  control_plane: 3\n")),
                        false);
                assertThat(announced(ha)).as(mode).containsEntry("nodebalancer +", 1);
                Plan single = planThenUp(f, f.birdbath(f.config(name, 3, network)), false);
                assertThat(announced(single)).as(mode).containsEntry("nodebalancer -", 1)
                        .containsEntry("dns ~", 1);
            }
        }
    }

    private static long id(SimFixture f, String path, String label) throws Exception {
        String body = call(f, "GET", path + "?page_size=500");
        Matcher m = Pattern.compile("\"id\"\\s*:\\s*(\\d+)[^}]*?\"label\"\\s*:\\s*\"" + label + "\"").matcher(body);
        assertThat(m.find()).as(label + " in " + body).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String call(SimFixture f, String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(f.sim.baseUrl() + path))
                .header("Authorization", "Bearer " + f.token).header("Content-Type", "application/json")
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{}")).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
