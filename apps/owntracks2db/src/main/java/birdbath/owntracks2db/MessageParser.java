package birdbath.owntracks2db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Turns a topic and payload into a {@link Message}; never throws. The topic is {@code owntracks/USER/DEVICE}
 * (deeper topics such as {@code .../event} keep user and device from the same places, as the original did).
 */
public final class MessageParser {

    static final int MAX_NAME = 64;
    static final int MAX_TID = 16;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private MessageParser() { }

    /** A field that is there but wrong: the message is rejected naming it. */
    private static final class Bad extends Exception {
        Bad(String message) {
            super(message, null, false, false);
        }
    }

    public static Message parse(String topic, byte[] payload) {
        try {
            String[] parts = topic.split("/", -1);
            if (parts.length < 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
                throw new Bad("topic '" + topic + "' has no user and device (expected owntracks/USER/DEVICE)");
            }
            if (parts[1].length() > MAX_NAME || parts[2].length() > MAX_NAME) {
                throw new Bad("user or device in the topic is longer than " + MAX_NAME + " characters");
            }
            String text = utf8(payload);
            JsonNode doc;
            try {
                doc = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new Bad("not JSON: " + e.getOriginalMessage());
            }
            if (doc == null || !doc.isObject()) {
                throw new Bad("not a JSON object");
            }
            JsonNode type = doc.get("_type");
            if (type == null || !type.isTextual() || type.asText().isEmpty()) {
                throw new Bad("no _type");
            }
            // stored as it came (jsonb parses it again): re-serialising would turn 1e400 into "Infinity"
            String raw = text;
            if (text.contains("u0000") && JSON.writeValueAsString(doc).contains("\\u0000")) {
                throw new Bad("contains a NUL character, which PostgreSQL's jsonb cannot hold");
            }
            if (!type.asText().equals("location")) {
                return new Message.Other(topic, parts[1], parts[2], type.asText(), raw);
            }
            double lat = number(doc, "lat", -90, 90, true);
            double lon = number(doc, "lon", -180, 180, true);
            long tst = (long) number(doc, "tst", 1, 32503680000.0, true);
            String tid = text(doc, "tid", MAX_TID);
            if (tid == null) {
                tid = parts[2].length() <= 2 ? parts[2] : parts[2].substring(parts[2].length() - 2);
            }
            JsonNode created = doc.get("created_at");
            Instant createdAt = created == null || created.isNull() ? null
                    : Instant.ofEpochSecond((long) number(doc, "created_at", 1, 32503680000.0, false));
            JsonNode regions = doc.get("inregions");
            if (regions != null && !regions.isNull() && !regions.isArray()) {
                throw new Bad("inregions is not a list");
            }
            return new Message.Location(topic, parts[1], parts[2], Instant.ofEpochSecond(tst), lat, lon,
                    integer(doc, "acc"), integer(doc, "alt"), integer(doc, "batt"), integer(doc, "cog"),
                    integer(doc, "rad"), integer(doc, "vac"), integer(doc, "vel"), optionalNumber(doc, "p"),
                    oneChar(doc, "t"), tid, oneChar(doc, "conn"), integer(doc, "bs"),
                    regions == null || regions.isNull() ? null : JSON.writeValueAsString(regions),
                    text(doc, "SSID", 256), text(doc, "BSSID", 256), createdAt, raw);
        } catch (Bad e) {
            return new Message.Rejected(topic, payload, e.getMessage());
        } catch (JsonProcessingException | RuntimeException e) {
            // nothing a payload contains may stop the service: whatever slipped past the checks is a rejection
            return new Message.Rejected(topic, payload, "unreadable: " + e.getClass().getSimpleName() + ": "
                    + e.getMessage());
        }
    }

    private static String utf8(byte[] payload) throws Bad {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            throw new Bad("not UTF-8");
        }
    }

    private static double number(JsonNode doc, String field, double min, double max, boolean required) throws Bad {
        JsonNode n = doc.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new Bad("no " + field);
            }
            return Double.NaN;
        }
        if (!n.isNumber()) {
            throw new Bad(field + " is not a number");
        }
        double v = n.asDouble();
        if (!(v >= min && v <= max)) {
            throw new Bad(field + " " + n.asText() + " is out of range");
        }
        return v;
    }

    private static Double optionalNumber(JsonNode doc, String field) throws Bad {
        double v = number(doc, field, -1e9, 1e9, false);
        return Double.isNaN(v) ? null : v;
    }

    /** An int field; OwnTracks sends whole numbers, a fraction is rounded rather than refused. */
    private static Integer integer(JsonNode doc, String field) throws Bad {
        double v = number(doc, field, Integer.MIN_VALUE, Integer.MAX_VALUE, false);
        return Double.isNaN(v) ? null : (int) Math.round(v);
    }

    private static String text(JsonNode doc, String field, int max) throws Bad {
        JsonNode n = doc.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new Bad(field + " is not a string");
        }
        if (n.asText().length() > max) {
            throw new Bad(field + " is longer than " + max + " characters");
        }
        return n.asText();
    }

    private static String oneChar(JsonNode doc, String field) throws Bad {
        String s = text(doc, field, 1);
        return s == null || s.isEmpty() ? null : s;
    }
}
