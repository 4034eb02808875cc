package birdbath.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a configuration document against a field list recorded from upstream's source (a test resource: one
 * key path and type per line, {@code <name>} for a key the user chooses, {@code []} for a list's element): every
 * key the document has must be listed, with a value of the listed type. For configurations whose own parser
 * would not say (flannel ignores unknown keys) or would say only on a node (Traefik).
 */
public final class KeyPathFields {

    private final Map<Pattern, String> types = new LinkedHashMap<>();

    public KeyPathFields(String resource) {
        try (InputStream in = KeyPathFields.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.strip().split("\\s+");
                String regex = Pattern.quote(f[0]).replace("<name>", "\\E[^.\\[\\]]+\\Q");
                types.put(Pattern.compile(regex), f[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Problems of {@code doc}, its keys under {@code prefix} ("" or a section such as "netconf."). */
    public List<String> problems(String prefix, JsonNode doc) {
        List<String> problems = new ArrayList<>();
        walk(prefix, doc, problems);
        return problems;
    }

    private void walk(String path, JsonNode node, List<String> problems) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = path + e.getKey();
                String type = typeOf(child);
                if (type == null) {
                    problems.add(child + ": no such key upstream");
                } else if (!fits(type, e.getValue())) {
                    problems.add(child + ": upstream wants " + type + ", got " + e.getValue());
                } else {
                    walk(child + ".", e.getValue(), problems);
                }
            }
        } else if (node.isArray()) {
            String element = path.substring(0, path.length() - 1) + "[]";
            for (JsonNode item : node) {
                String type = typeOf(element);
                if (type != null && !item.isObject() && !fits(type, item)) {
                    problems.add(element + ": upstream wants " + type + ", got " + item);
                }
                walk(element + ".", item, problems);
            }
        }
    }

    private String typeOf(String path) {
        for (Map.Entry<Pattern, String> e : types.entrySet()) {
            if (e.getKey().matcher(path).matches()) {
                return e.getValue();
            }
        }
        return null;
    }

    private static boolean fits(String type, JsonNode v) {
        return switch (type) {
            case "string" -> v.isTextual();
            case "bool" -> v.isBoolean();
            case "int" -> v.isIntegralNumber();
            case "duration" -> v.isTextual() || v.isIntegralNumber();
            case "object" -> v.isObject() || v.isArray();
            default -> type.startsWith("[]") ? v.isArray() : true;
        };
    }
}
