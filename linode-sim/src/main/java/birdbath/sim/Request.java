package birdbath.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/** One parsed API request: method, path (without /v4), the path's numeric ids, and the JSON body. */
record Request(String method, String path, long[] ids, JsonNode body) {

    long id(int i) {
        return ids[i];
    }

    JsonNode field(String name) {
        JsonNode v = body == null ? null : body.get(name);
        return v == null ? NullNode.getInstance() : v;
    }

    String text(String name) {
        JsonNode v = field(name);
        return v.isNull() ? null : v.asText();
    }
}
