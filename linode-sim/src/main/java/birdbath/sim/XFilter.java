package birdbath.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Linode's X-Filter: field equality (membership for list fields such as tags), the operators
 * +contains +neq +gt +gte +lt +lte, the combinators +and / +or, and ordering with +order_by / +order.
 */
final class XFilter {

    private final JsonNode filter;

    XFilter(JsonNode filter) {
        this.filter = filter;
    }

    List<JsonNode> apply(List<JsonNode> items) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode item : items) {
            if (filter == null || matches(filter, item)) {
                out.add(item);
            }
        }
        if (filter != null && filter.has("+order_by")) {
            String field = filter.get("+order_by").asText();
            Comparator<JsonNode> byField = Comparator.comparing(n -> n.path(field).asText());
            if ("desc".equals(filter.path("+order").asText("asc"))) {
                byField = byField.reversed();
            }
            out.sort(byField);
        }
        return out;
    }

    private static boolean matches(JsonNode condition, JsonNode item) {
        if (!condition.isObject()) {
            throw ApiError.badRequest("X-Filter", "Filter must be an object");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = condition.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            boolean ok = switch (key) {
                case "+and" -> all(value, item);
                case "+or" -> any(value, item);
                case "+order_by", "+order" -> true;
                default -> {
                    if (key.startsWith("+")) {
                        throw ApiError.badRequest("X-Filter", "Unknown filter operator " + key);
                    }
                    yield fieldMatches(item.get(key), value);
                }
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean all(JsonNode list, JsonNode item) {
        for (JsonNode c : list) {
            if (!matches(c, item)) {
                return false;
            }
        }
        return true;
    }

    private static boolean any(JsonNode list, JsonNode item) {
        for (JsonNode c : list) {
            if (matches(c, item)) {
                return true;
            }
        }
        return false;
    }

    private static boolean fieldMatches(JsonNode actual, JsonNode wanted) {
        if (actual == null || actual.isNull()) {
            return wanted.isNull();
        }
        if (wanted.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> ops = wanted.fields();
            while (ops.hasNext()) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!operator(op.getKey(), actual, op.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (actual.isArray()) {
            for (JsonNode element : actual) {
                if (element.asText().equals(wanted.asText())) {
                    return true;
                }
            }
            return false;
        }
        return actual.asText().equals(wanted.asText());
    }

    private static boolean operator(String op, JsonNode actual, JsonNode operand) {
        return switch (op) {
            case "+contains" -> actual.asText().contains(operand.asText());
            case "+neq" -> !actual.asText().equals(operand.asText());
            case "+gt" -> compare(actual, operand) > 0;
            case "+gte" -> compare(actual, operand) >= 0;
            case "+lt" -> compare(actual, operand) < 0;
            case "+lte" -> compare(actual, operand) <= 0;
            default -> throw ApiError.badRequest("X-Filter", "Unknown filter operator " + op);
        };
    }

    private static int compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.asDouble(), b.asDouble());
        }
        return a.asText().compareTo(b.asText());
    }
}
