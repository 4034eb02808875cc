package birdbath.cli;

import birdbath.provider.Node;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "nodes", mixinStandardHelpOptions = true,
        description = "List the nodes: name, roles, public and private address, SSH endpoint.")
final class NodesCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "Print a JSON array (name, roles, public_ip, private_ip, ssh).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Node> nodes = config.open().nodes();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode out = mapper.createArrayNode();
            for (Node n : nodes) {
                ObjectNode o = out.addObject().put("name", n.name());
                ArrayNode roles = o.putArray("roles");
                n.roles().forEach(r -> roles.add(role(r)));
                o.put("public_ip", n.publicIp()).put("private_ip", n.privateIp());
                o.putObject("ssh").put("host", n.ssh().host()).put("port", n.ssh().port()).put("user", n.ssh().user());
            }
            System.out.println(mapper.writeValueAsString(out));
            return 0;
        }
        String fmt = "%-24s %-32s %-16s %-16s %s%n";
        System.out.printf(Locale.ROOT, fmt, "NAME", "ROLES", "PUBLIC", "PRIVATE", "SSH");
        for (Node n : nodes) {
            System.out.printf(Locale.ROOT, fmt, n.name(),
                    n.roles().stream().map(NodesCommand::role).collect(Collectors.joining(",")),
                    n.publicIp(), n.privateIp(), n.ssh().user() + "@" + n.ssh().host() + ":" + n.ssh().port());
        }
        return 0;
    }

    private static String role(Enum<?> r) {
        return r.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
