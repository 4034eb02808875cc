package birdbath.stage;

import birdbath.BirdbathException;
import birdbath.config.Grammar;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A config file kept as a resource next to its stage, with {{name}} placeholders, filled by a writer that knows
 * the file's language (by its name), so that no value can change what the file means:
 * <ul>
 * <li>shell (*.sh): a placeholder may stand only as the whole right-hand side of an assignment on its own line
 * ({@code want={{version}}}), where the value is single-quoted unless it is plainly inert; or alone on a line,
 * for a {@link Fragment} (another rendered template);</li>
 * <li>YAML (*.yaml): a placeholder that is a whole scalar ({@code key: {{x}}}, {@code - {{x}}}) is written by
 * Jackson's YAML generator, quoted where YAML needs it; anywhere else (inside a quoted string, embedded JSON, a
 * comment) the value must be inert;</li>
 * <li>everything else (systemd units, env files, nftables, swanctl, TOML, sudoers, hosts): the value must be
 * inert, {@link #INERT}, which none of these languages reads as anything but a word.</li>
 * </ul>
 * A value that breaks these rules is refused with the template and placeholder named: config values are checked
 * at load time already, so this is the second line, for values the code composes. What the rules assume of the
 * templates themselves (no template today breaks it): a YAML block scalar holds YAML or JSON, so a whole scalar
 * inside it is written as YAML; a shell template has no unquoted here-document around an assignment; a
 * Fragment's format is a string literal in the code.
 */
public final class Template {

    /** Letters, digits and {@code . _ : / @ + , = -}: no quote, space, `$`, backslash, brace, `%`, `#`, `;`. */
    public static final Pattern INERT = Pattern.compile("[A-Za-z0-9._:/@+,=-]*");
    private static final Pattern VAR = Pattern.compile("\\{\\{([a-z][a-z0-9_]*)}}");
    private static final Pattern SHELL_ASSIGNMENT = Pattern.compile("[a-z_][a-z0-9_]*=\\{\\{[a-z0-9_]+}}");
    private static final Pattern YAML_WHOLE_SCALAR = Pattern.compile("\\s*(- |[A-Za-z0-9_.-]+: )+\\{\\{[a-z0-9_]+}}");
    private static final Pattern ALONE = Pattern.compile("\\s*\\{\\{[a-z0-9_]+}}");
    // SPLIT_LINES off: a long value with spaces would be folded onto a next line, indented for the top level
    private static final YAMLMapper YAML_SCALARS = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS).build());
    /** Always double-quoted, with escapes: the minimal writer would give a multi-line value a block scalar. */
    private static final YAMLMapper YAML_QUOTED = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());
    /**
     * A value YAML reads as a string when plain: starting with a letter or '/' (Jackson quotes the reserved
     * words: true, no, null, ...), or an IPv4 address or CIDR. Others (2024-01-01, 12:30, 0o17, 1e3) are quoted.
     */
    private static final Pattern YAML_PLAIN = Pattern.compile(
            "[A-Za-z/][A-Za-z0-9._/:@+-]*|[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?");

    /** A file's language, by the template's name. */
    enum Language {
        SHELL, YAML, TEXT;

        static Language of(String path) {
            return path.endsWith(".sh") ? SHELL : path.endsWith(".yaml") ? YAML : TEXT;
        }
    }

    /** What a rendering was asked to fill: tests replay these with hostile values. */
    record Rendering(String path, Map<String, Object> vars) { }

    private static volatile Consumer<Rendering> observer = r -> { };

    private Template() { }

    /** Renders {@code /birdbath/stage/<path>}; every placeholder must have a value (a String or a Fragment). */
    public static String render(String path, Map<String, ?> vars) {
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) vars;
        observer.accept(new Rendering(path, values));
        String text = resource(path);
        Language language = Language.of(path);
        StringBuilder out = new StringBuilder();
        for (String line : text.split("(?<=\n)", -1)) {
            Matcher m = VAR.matcher(line);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                Object value = values.get(name);
                if (value == null) {
                    throw new IllegalStateException("template " + path + " needs {{" + name + "}}");
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(write(path, language, line, name, value)));
            }
            m.appendTail(sb);
            out.append(sb);
        }
        return out.toString();
    }

    /** A rendered template, to be placed inside another. */
    public static Fragment fragment(String path, Map<String, ?> vars) {
        return new Fragment(render(path, vars));
    }

    /** Watches renderings while {@code body} runs (one watcher at a time; for tests). */
    static synchronized void observe(Consumer<Rendering> watcher, Runnable body) {
        observer = watcher;
        try {
            body.run();
        } finally {
            observer = r -> { };
        }
    }

    private static String write(String path, Language language, String line, String name, Object value) {
        String context = line.strip();
        if (value instanceof Fragment f) {
            if (language == Language.SHELL && !ALONE.matcher(context).matches()) {
                throw new IllegalStateException("template " + path + " places the fragment {{" + name
                        + "}} inside a line; in a shell script it must stand alone");
            }
            return f.text();
        }
        if (!(value instanceof String s)) {
            throw new IllegalStateException("template " + path + ": {{" + name + "}} is given a "
                    + value.getClass().getSimpleName() + ", not a String or a Fragment");
        }
        switch (language) {
            case SHELL -> {
                if (!SHELL_ASSIGNMENT.matcher(context).matches()) {
                    throw new IllegalStateException("template " + path + " uses {{" + name
                            + "}} outside an assignment of its own line, where it could not be quoted");
                }
                return shellWord(s);
            }
            case YAML -> {
                if (YAML_WHOLE_SCALAR.matcher(line.stripTrailing()).matches()) {
                    return yamlScalar(s);
                }
                return inert(path, name, s);
            }
            default -> {
                return inert(path, name, s);
            }
        }
    }

    /** The value as one shell word: bare if plainly inert, else in single quotes (each ' as '\''). */
    static String shellWord(String s) {
        if (!s.isEmpty() && INERT.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static String yamlScalar(String s) {
        try {
            return (YAML_PLAIN.matcher(s).matches() ? YAML_SCALARS : YAML_QUOTED).writeValueAsString(s)
                    .stripTrailing();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String inert(String path, String name, String s) {
        if (!INERT.matcher(s).matches()) {
            throw new BirdbathException("template " + path + ": the value for {{" + name + "}}, \""
                    + Grammar.shown(s) + "\", has characters this file's language could read as more than a word"
                    + " (allowed: letters, digits and . _ : / @ + , = -)");
        }
        return s;
    }

    private static String resource(String path) {
        try (InputStream in = Template.class.getResourceAsStream("/birdbath/stage/" + path)) {
            if (in == null) {
                throw new IllegalStateException("no template " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read template " + path, e);
        }
    }

    /**
     * Text placed into a template as it is: a rendered template, or lines the code composes from a fixed format
     * and inert values ({@link #of}). There is no way to make one from an unchecked string.
     */
    public static final class Fragment {

        public static final Fragment EMPTY = new Fragment("");

        private final String text;

        private Fragment(String text) {
            this.text = text;
        }

        /** {@code format} (code, with %s) filled with values that must each be inert. */
        public static Fragment of(String format, String... values) {
            for (String v : values) {
                inert("fragment \"" + Grammar.shown(format) + "\"", "value", v);
            }
            return new Fragment(String.format(format, (Object[]) values));
        }

        /** Fragments one after another. */
        public static Fragment concat(Collection<Fragment> parts) {
            StringBuilder sb = new StringBuilder();
            parts.forEach(p -> sb.append(p.text));
            return new Fragment(sb.toString());
        }

        /** Fragments as lines: joined by newlines, without a final one. */
        public static Fragment lines(Collection<Fragment> lines) {
            return new Fragment(String.join("\n", lines.stream().map(Fragment::text).toList()));
        }

        /** This text without its final newline, to stand on a line of another template. */
        public Fragment withoutFinalNewline() {
            return new Fragment(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
        }

        /** Inert values joined by {@code separator} (code). */
        public static Fragment join(String separator, Collection<String> values) {
            for (String v : values) {
                inert("fragment \"" + Grammar.shown(separator) + "\"", "value", v);
            }
            return new Fragment(String.join(separator, values));
        }

        public String text() {
            return text;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
