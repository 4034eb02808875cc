package birdbath.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** docs/birdbath.schema.json stays true: the same fields, at the same places, as the config the loader binds. */
class ConfigSchemaTest {

    @Test
    void schemaAndConfigRecordsDescribeTheSameFields() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(Path.of("..", "docs", "birdbath.schema.json").toFile());
        assertThat(fields(schema, "")).isEqualTo(fields(BirdbathConfig.class, ""));
    }

    private static TreeSet<String> fields(JsonNode schema, String prefix) {
        TreeSet<String> out = new TreeSet<>();
        schema.path("properties").fields().forEachRemaining(e -> {
            out.add(prefix + e.getKey());
            if (e.getValue().has("properties")) {
                out.addAll(fields(e.getValue(), prefix + e.getKey() + "."));
            }
        });
        return out;
    }

    private static TreeSet<String> fields(Class<?> type, String prefix) {
        TreeSet<String> out = new TreeSet<>();
        List<RecordComponent> components = new ArrayList<>(List.of(type.getRecordComponents()));
        for (RecordComponent c : components) {
            String name = prefix + snake(c.getName());
            out.add(name);
            if (c.getType().isRecord()) {
                out.addAll(fields(c.getType(), name + "."));
            }
        }
        return out;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
    }
}
