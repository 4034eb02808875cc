package birdbath.stage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A config file kept as a resource next to its stage, with {{name}} placeholders. */
public final class Template {

    private static final Pattern VAR = Pattern.compile("\\{\\{([a-z][a-z0-9_]*)}}");

    private Template() { }

    /** Renders {@code /birdbath/stage/<path>}; every placeholder must have a value. */
    public static String render(String path, Map<String, String> vars) {
        String text;
        try (InputStream in = Template.class.getResourceAsStream("/birdbath/stage/" + path)) {
            if (in == null) {
                throw new IllegalStateException("no template " + path);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read template " + path, e);
        }
        Matcher m = VAR.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = vars.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("template " + path + " needs {{" + m.group(1) + "}}");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
