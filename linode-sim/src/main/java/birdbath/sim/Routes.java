package birdbath.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The API's paths, each bound to one operation on the account. Collections answer with a page. */
final class Routes {

    /** What an operation returns: one object, a list to page and filter, or nothing ({}). */
    sealed interface Result permits One, Many, Empty { }

    record One(JsonNode body) implements Result { }

    record Many(List<JsonNode> items) implements Result { }

    record Empty() implements Result { }

    record Route(String method, Pattern pattern, boolean collection, Function<Request, Result> operation) { }

    record Match(Route route, long[] ids, String text) { }

    private final List<Route> routes = new ArrayList<>();

    Routes(SimState s) {
        Catalog c = s.catalog();
        many("GET", "/linode/types", r -> new ArrayList<>(c.types));
        one("GET", "/linode/types/{s}", r -> byId(c.types, r));
        many("GET", "/regions", r -> new ArrayList<>(c.regions));
        one("GET", "/regions/{s}", r -> byId(c.regions, r));
        many("GET", "/images", r -> new ArrayList<>(c.images));
        one("GET", "/images/{s}", r -> byId(c.images, r));
        many("GET", "/volumes/types", r -> new ArrayList<>(c.volumeTypes));
        many("GET", "/nodebalancers/types", r -> new ArrayList<>(c.nodeBalancerTypes));
        one("GET", "/profile", r -> new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("username", "sim-user").put("email", "sim@example.com").put("restricted", false));

        many("GET", "/linode/instances", r -> s.listInstances());
        one("POST", "/linode/instances", s::createInstance);
        one("GET", "/linode/instances/{id}", r -> s.getInstance(r.id(0)));
        one("PUT", "/linode/instances/{id}", s::updateInstance);
        empty("DELETE", "/linode/instances/{id}", r -> s.deleteInstance(r.id(0)));
        one("GET", "/linode/instances/{id}/ips", r -> s.instanceIps(r.id(0)));
        for (String action : List.of("boot", "reboot", "shutdown")) {
            empty("POST", "/linode/instances/{id}/" + action, r -> s.power(r.id(0), action));
        }

        many("GET", "/volumes", r -> s.listVolumes());
        one("POST", "/volumes", s::createVolume);
        one("GET", "/volumes/{id}", r -> s.getVolume(r.id(0)));
        empty("DELETE", "/volumes/{id}", r -> s.deleteVolume(r.id(0)));
        one("POST", "/volumes/{id}/attach", s::attachVolume);
        empty("POST", "/volumes/{id}/detach", r -> s.detachVolume(r.id(0)));
        one("POST", "/volumes/{id}/resize", s::resizeVolume);

        many("GET", "/domains", r -> s.listDomains());
        one("POST", "/domains", s::createDomain);
        one("GET", "/domains/{id}", r -> s.getDomain(r.id(0)));
        empty("DELETE", "/domains/{id}", r -> s.deleteDomain(r.id(0)));
        many("GET", "/domains/{id}/records", r -> s.listRecords(r.id(0)));
        one("POST", "/domains/{id}/records", s::createRecord);
        one("GET", "/domains/{id}/records/{id}", r -> s.getRecord(r.id(0), r.id(1)));
        one("PUT", "/domains/{id}/records/{id}", s::updateRecord);
        empty("DELETE", "/domains/{id}/records/{id}", r -> s.deleteRecord(r.id(0), r.id(1)));

        many("GET", "/networking/firewalls", r -> s.listFirewalls().stream().map(s::renderFirewall).toList());
        one("POST", "/networking/firewalls", r -> s.renderFirewall(s.createFirewall(r)));
        one("GET", "/networking/firewalls/{id}", r -> s.renderFirewall(s.getFirewall(r.id(0))));
        one("PUT", "/networking/firewalls/{id}", r -> s.renderFirewall(s.updateFirewall(r)));
        empty("DELETE", "/networking/firewalls/{id}", r -> s.deleteFirewall(r.id(0)));
        one("GET", "/networking/firewalls/{id}/rules", r -> s.getRules(r.id(0)));
        one("PUT", "/networking/firewalls/{id}/rules", s::putRules);
        many("GET", "/networking/firewalls/{id}/devices", r -> s.listDevices(r.id(0)));
        one("POST", "/networking/firewalls/{id}/devices", s::addDevice);
        empty("DELETE", "/networking/firewalls/{id}/devices/{id}", r -> s.deleteDevice(r.id(0), r.id(1)));

        NodeBalancers nb = s.nodeBalancers();
        String balancer = "/nodebalancers/{id}";
        String config = balancer + "/configs/{id}";
        many("GET", "/nodebalancers", r -> s.locked(nb::list));
        one("POST", "/nodebalancers", r -> s.locked(() -> nb.create(r)));
        one("GET", balancer, r -> s.locked(() -> nb.get(r.id(0))));
        one("PUT", balancer, r -> s.locked(() -> nb.update(r)));
        empty("DELETE", balancer, r -> s.locked(() -> run(() -> nb.delete(r.id(0)))));
        many("GET", balancer + "/firewalls", r -> s.locked(() -> nb.firewalls(r.id(0))));
        many("GET", balancer + "/vpcs", r -> s.locked(() -> nb.vpcs(r.id(0))));
        many("GET", balancer + "/configs", r -> s.locked(() -> nb.listConfigs(r.id(0))));
        one("POST", balancer + "/configs", r -> s.locked(() -> nb.createConfig(r)));
        one("GET", config, r -> s.locked(() -> nb.getConfig(r.id(0), r.id(1))));
        one("PUT", config, r -> s.locked(() -> nb.updateConfig(r)));
        empty("DELETE", config, r -> s.locked(() -> run(() -> nb.deleteConfig(r.id(0), r.id(1)))));
        one("POST", config + "/rebuild", r -> s.locked(() -> nb.rebuild(r)));
        many("GET", config + "/nodes", r -> s.locked(() -> nb.listNodes(r.id(0), r.id(1))));
        one("POST", config + "/nodes", r -> s.locked(() -> nb.createNode(r)));
        one("GET", config + "/nodes/{id}", r -> s.locked(() -> nb.getNode(r.id(0), r.id(1), r.id(2))));
        one("PUT", config + "/nodes/{id}", r -> s.locked(() -> nb.updateNode(r)));
        empty("DELETE", config + "/nodes/{id}", r -> s.locked(() -> run(() -> nb.deleteNode(r.id(0), r.id(1),
                r.id(2)))));

        many("GET", "/vpcs", r -> s.listVpcs());
        one("POST", "/vpcs", s::createVpc);
        one("GET", "/vpcs/{id}", r -> s.getVpc(r.id(0)));
        empty("DELETE", "/vpcs/{id}", r -> s.deleteVpc(r.id(0)));
        many("GET", "/vpcs/{id}/subnets", r -> s.listSubnets(r.id(0)));
    }

    private static Object run(Runnable operation) {
        operation.run();
        return null;
    }

    private static JsonNode byId(List<? extends JsonNode> list, Request r) {
        for (JsonNode n : list) {
            if (n.get("id").asText().equals(r.path().substring(r.path().indexOf('/', 1) + 1))
                    || r.path().endsWith("/" + n.get("id").asText())) {
                return n;
            }
        }
        throw ApiError.notFound();
    }

    private void one(String method, String path, Function<Request, JsonNode> op) {
        add(method, path, false, r -> new One(op.apply(r)));
    }

    private void many(String method, String path, Function<Request, List<JsonNode>> op) {
        add(method, path, true, r -> new Many(op.apply(r)));
    }

    private void empty(String method, String path, java.util.function.Consumer<Request> op) {
        add(method, path, false, r -> {
            op.accept(r);
            return new Empty();
        });
    }

    private void add(String method, String path, boolean collection, Function<Request, Result> op) {
        String regex = path.replace("{id}", "(\\d+)").replace("{s}", "(.+)");
        routes.add(new Route(method, Pattern.compile("^" + regex + "$"), collection, op));
    }

    /** The route for a path, or null; a path known under another method is a 405. */
    Match match(String method, String path) {
        boolean pathKnown = false;
        for (Route route : routes) {
            Matcher m = route.pattern().matcher(path);
            if (m.matches()) {
                pathKnown = true;
                if (route.method().equals(method)) {
                    long[] ids = new long[m.groupCount()];
                    for (int i = 0; i < ids.length; i++) {
                        String g = m.group(i + 1);
                        ids[i] = g.chars().allMatch(Character::isDigit) ? Long.parseLong(g) : 0;
                    }
                    return new Match(route, ids, path);
                }
            }
        }
        if (pathKnown) {
            throw new ApiError(405, "Method Not Allowed", null);
        }
        return null;
    }
}
