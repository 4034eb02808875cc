package birdbath.stage.kubernetes;

import birdbath.BirdbathException;
import birdbath.secrets.SecretFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kubeconfig files: kubeadm's admin.conf renamed after the cluster (cluster NAME, user NAME-admin, context NAME),
 * and merged into the user's file without touching any other cluster, user or context.
 */
public final class Kubeconfigs {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private Kubeconfigs() { }

    /** admin.conf with its one cluster, user and context renamed after the cluster. */
    public static String renamed(String adminConf, String name) {
        Map<String, Object> doc = read(adminConf, "admin.conf");
        Map<String, Object> cluster = only(doc, "clusters", "admin.conf");
        Map<String, Object> user = only(doc, "users", "admin.conf");
        cluster.put("name", name);
        user.put("name", name + "-admin");
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("cluster", name);
        ctx.put("user", name + "-admin");
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("name", name);
        context.put("context", ctx);
        doc.put("contexts", new ArrayList<>(List.of(context)));
        doc.put("current-context", name);
        return write(doc);
    }

    /**
     * Merges {@code ours} (from {@link #renamed}) into {@code target}: entries of the same names are replaced,
     * all others kept; the current context changes only if there was none. Written atomically, 0600.
     *
     * @return what happened, for the user: "added" or "replaced"
     */
    public static String merge(Path target, String ours) {
        Map<String, Object> mine = read(ours, "the cluster's kubeconfig");
        Map<String, Object> doc;
        try {
            doc = Files.exists(target) ? read(Files.readString(target), target.toString()) : new LinkedHashMap<>();
        } catch (IOException e) {
            throw new BirdbathException("cannot read " + target + ": " + e.getMessage());
        }
        doc.putIfAbsent("apiVersion", "v1");
        doc.putIfAbsent("kind", "Config");
        boolean replaced = false;
        for (String section : List.of("clusters", "users", "contexts")) {
            List<Map<String, Object>> theirs = list(doc, section, target.toString());
            for (Map<String, Object> entry : list(mine, section, "the cluster's kubeconfig")) {
                replaced |= theirs.removeIf(e -> entry.get("name").equals(e.get("name")));
                theirs.add(entry);
            }
            doc.put(section, theirs);
        }
        Object current = doc.get("current-context");
        if (current == null || current.toString().isEmpty()) {
            doc.put("current-context", mine.get("current-context"));
        }
        SecretFiles.writeSecret(target, write(doc).getBytes(StandardCharsets.UTF_8));
        return replaced ? "replaced" : "added";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(String text, String what) {
        try {
            Object o = YAML.readValue(text, Object.class);
            if (o == null) {
                return new LinkedHashMap<>();
            }
            if (!(o instanceof Map)) {
                throw new BirdbathException(what + " is not a kubeconfig (expected a YAML mapping)");
            }
            return (Map<String, Object>) o;
        } catch (JsonProcessingException e) {
            throw new BirdbathException(what + " is not valid YAML: " + e.getOriginalMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> doc, String section, String what) {
        Object o = doc.get(section);
        if (o == null) {
            return new ArrayList<>();
        }
        if (!(o instanceof List<?> l) || l.stream().anyMatch(e -> !(e instanceof Map<?, ?> m) || m.get("name") == null)) {
            throw new BirdbathException(what + ": " + section + " is not a list of named entries");
        }
        return new ArrayList<>((List<Map<String, Object>>) o);
    }

    private static Map<String, Object> only(Map<String, Object> doc, String section, String what) {
        List<Map<String, Object>> l = list(doc, section, what);
        if (l.size() != 1) {
            throw new BirdbathException(what + ": expected exactly one entry in " + section + ", found " + l.size());
        }
        doc.put(section, l);
        return l.get(0);
    }

    private static String write(Map<String, Object> doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
