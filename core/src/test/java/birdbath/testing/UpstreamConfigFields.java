package birdbath.testing;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks YAML documents against the field names and types of upstream's configuration kinds, as recorded in
 * src/test/resources/upstream/kubernetes-1.34-config-fields.txt: a key the kind does not have, or a value of the
 * wrong type (a number where the Go field is a string fails to decode in kubeadm), is a problem.
 */
public final class UpstreamConfigFields {

    private static final String FILE = "/upstream/kubernetes-1.34-config-fields.txt";
    private static final Map<String, String> API_VERSIONS = Map.of(
            "InitConfiguration", "kubeadm.k8s.io/v1beta4", "ClusterConfiguration", "kubeadm.k8s.io/v1beta4",
            "JoinConfiguration", "kubeadm.k8s.io/v1beta4", "KubeletConfiguration", "kubelet.config.k8s.io/v1beta1",
            "EncryptionConfiguration", "apiserver.config.k8s.io/v1", "Policy", "audit.k8s.io/v1");
    /** A Go duration as metav1.Duration parses it: "4m0s", "24h", "30s", "100ms". */
    private static final Pattern DURATION = Pattern.compile("(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))+");

    /** Struct -> key -> type. */
    private final Map<String, Map<String, String>> structs = new LinkedHashMap<>();

    public UpstreamConfigFields() {
        try (InputStream in = UpstreamConfigFields.class.getResourceAsStream(FILE)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.strip().split(" ");
                String[] name = f[0].split("\\.", 2);
                structs.computeIfAbsent(name[0], k -> new LinkedHashMap<>()).put(name[1], f[1]);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        structs.put("IdentityConfiguration", Map.of());
    }

    /** Every problem in every document of {@code yaml}, each "Kind.path: what" (empty: all fields known and typed). */
    public List<String> problems(String yaml) {
        List<String> problems = new ArrayList<>();
        try (MappingIterator<Object> docs = new YAMLMapper().readerFor(Object.class).readValues(yaml)) {
            while (docs.hasNext()) {
                Object doc = docs.next();
                if (!(doc instanceof Map<?, ?> map)) {
                    problems.add("a document that is not a mapping: " + doc);
                    continue;
                }
                String kind = String.valueOf(map.get("kind"));
                if (!API_VERSIONS.containsKey(kind)) {
                    problems.add("kind " + kind + " is not one this file knows");
                } else if (!API_VERSIONS.get(kind).equals(map.get("apiVersion"))) {
                    problems.add(kind + ": apiVersion " + map.get("apiVersion") + ", expected " + API_VERSIONS.get(kind));
                } else {
                    check(kind, kind, doc, problems);
                }
            }
        } catch (IOException e) {
            problems.add("not YAML: " + e.getMessage());
        }
        return problems;
    }

    private void check(String path, String type, Object value, List<String> problems) {
        if (value == null || type.equals("any")) {
            return;
        }
        if (type.startsWith("[]")) {
            if (!(value instanceof List<?> list)) {
                problems.add(path + ": expected a list, got " + describe(value));
                return;
            }
            for (int i = 0; i < list.size(); i++) {
                check(path + "[" + i + "]", type.substring(2), list.get(i), problems);
            }
            return;
        }
        if (type.startsWith("map:")) {
            if (!(value instanceof Map<?, ?> map)) {
                problems.add(path + ": expected a mapping, got " + describe(value));
                return;
            }
            map.forEach((k, v) -> check(path + "." + k, type.substring(4), v, problems));
            return;
        }
        switch (type) {
            case "string" -> expect(path, value instanceof String, "a string", value, problems);
            case "bool" -> expect(path, value instanceof Boolean, "true or false", value, problems);
            case "int" -> expect(path, value instanceof Integer || value instanceof Long, "an integer", value, problems);
            case "float" -> expect(path, value instanceof Number, "a number", value, problems);
            case "duration" -> expect(path, value instanceof String s && DURATION.matcher(s).matches(),
                    "a Go duration such as 4m0s", value, problems);
            default -> {
                Map<String, String> fields = structs.get(type);
                if (fields == null) {
                    throw new IllegalStateException(FILE + " names a type it does not define: " + type);
                }
                if (!(value instanceof Map<?, ?> map)) {
                    problems.add(path + ": expected a mapping (" + type + "), got " + describe(value));
                    return;
                }
                map.forEach((k, v) -> {
                    String fieldType = fields.get(String.valueOf(k));
                    if (fieldType == null) {
                        problems.add(path + "." + k + ": " + type + " has no field " + k);
                    } else {
                        check(path + "." + k, fieldType, v, problems);
                    }
                });
            }
        }
    }

    private static void expect(String path, boolean ok, String what, Object value, List<String> problems) {
        if (!ok) {
            problems.add(path + ": expected " + what + ", got " + describe(value));
        }
    }

    private static String describe(Object value) {
        return value.getClass().getSimpleName() + " " + value;
    }
}
