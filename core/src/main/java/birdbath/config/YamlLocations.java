package birdbath.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** The line of every key in a YAML document, by dotted path ("cluster.nodes", "linode.ssh_keys[1]"). */
final class YamlLocations {

    private final Map<String, Integer> lines = new HashMap<>();

    YamlLocations(String yaml) throws IOException {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            if (p.nextToken() != null) {
                walk(p, "");
            }
        }
    }

    private void walk(JsonParser p, String path) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String child = path.isEmpty() ? p.currentName() : path + "." + p.currentName();
                lines.put(child, p.currentTokenLocation().getLineNr());
                p.nextToken();
                walk(p, child);
            }
        } else if (t == JsonToken.START_ARRAY) {
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String child = path + "[" + i++ + "]";
                lines.put(child, p.currentTokenLocation().getLineNr());
                walk(p, child);
            }
        }
    }

    boolean has(String path) {
        return lines.containsKey(path);
    }

    /** The line of a path, or of its nearest present parent (a missing field is reported where it belongs), or 1. */
    int lineOf(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return 1;
    }
}
