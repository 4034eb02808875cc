package birdbath.owntracks2db;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Instant;

/**
 * Structured logs: one JSON object per line on standard error, {"time", "level", "msg", then the event's
 * fields}, so a log collector can filter by field. Callers never pass secrets: Settings' toString hides them.
 */
final class Log {

    private static final JsonFactory JSON = new JsonFactory();
    private static volatile PrintStream out = System.err;

    private Log() { }

    static void info(String msg, Object... fields) {
        write("info", msg, fields);
    }

    static void warn(String msg, Object... fields) {
        write("warn", msg, fields);
    }

    static void error(String msg, Object... fields) {
        write("error", msg, fields);
    }

    /** For tests: where the lines go. */
    static void to(PrintStream stream) {
        out = stream;
    }

    /** {@code fields} alternate name and value; numbers and booleans stay JSON numbers and booleans. */
    static String line(String level, String msg, Object... fields) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("level", level);
            g.writeStringField("msg", msg);
            for (int i = 0; i + 1 < fields.length; i += 2) {
                String name = String.valueOf(fields[i]);
                Object v = fields[i + 1];
                if (v instanceof Long || v instanceof Integer) {
                    g.writeNumberField(name, ((Number) v).longValue());
                } else if (v instanceof Number n) {
                    g.writeNumberField(name, n.doubleValue());
                } else if (v instanceof Boolean b) {
                    g.writeBooleanField(name, b);
                } else {
                    g.writeStringField(name, String.valueOf(v));
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    private static void write(String level, String msg, Object... fields) {
        out.println(line(level, msg, fields));
    }
}
