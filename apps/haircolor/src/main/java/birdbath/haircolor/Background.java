package birdbath.haircolor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A background the site may paint: a hex or named colour, or a linear or radial gradient of those with
 * percentages. Parsed into a canonical form that is the only text ever written into the page's CSS, so nothing
 * outside this grammar (no `;`, `}`, `url(`, `expression(`, comments, quotes, escapes) can reach it.
 */
public final class Background {

    /** What {@link #parse} accepts, for the 400 answer. */
    public static final String GRAMMAR = "a hex colour (#rgb, #rgba, #rrggbb, #rrggbbaa), a CSS colour name (e.g."
            + " rebeccapurple), or linear-gradient(...)/radial-gradient(...) of such colours with optional"
            + " percentages (e.g. linear-gradient(to bottom, #E936AF, #48145F 40%)); a linear gradient may start"
            + " with an angle (45deg) or 'to' and one or two sides, a radial one with circle/ellipse and 'at' a"
            + " position";

    static final int MAX_LENGTH = 512;
    private static final Pattern ALLOWED = Pattern.compile("[a-z0-9#%., ()-]*");
    private static final Pattern HEX = Pattern.compile("#([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})");
    private static final Pattern PERCENT = Pattern.compile("(100|[0-9]{1,2})(\\.[0-9]{1,3})?%");
    private static final Pattern ANGLE = Pattern.compile("-?[0-9]{1,4}(\\.[0-9]{1,3})?(deg|turn|rad|grad)");
    private static final Set<String> SIDES = Set.of("left", "right", "top", "bottom");
    private static final Set<String> POSITIONS = Set.of("left", "right", "top", "bottom", "center");

    private final String canonical;

    private Background(String canonical) {
        this.canonical = canonical;
    }

    /** The background in canonical form: lowercase, single spaces, ", " between arguments. */
    public String css() {
        return canonical;
    }

    public boolean isGradient() {
        return canonical.endsWith(")");
    }

    @Override
    public String toString() {
        return canonical;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Background b && b.canonical.equals(canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    /** Refused input, with what was wrong. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    public static Background parse(String input) throws Invalid {
        if (input == null || input.isBlank()) {
            throw new Invalid("the background is empty");
        }
        if (input.length() > MAX_LENGTH) {
            throw new Invalid("the background is longer than " + MAX_LENGTH + " characters");
        }
        String s = input.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        if (!ALLOWED.matcher(s).matches()) {
            throw new Invalid("only letters, digits, '#', '%', '.', ',', '-', spaces and parentheses may appear");
        }
        int open = s.indexOf('(');
        if (open < 0) {
            return new Background(color(s));
        }
        String fn = s.substring(0, open).strip();
        if (!s.endsWith(")") || s.indexOf('(', open + 1) >= 0 || s.indexOf(')') != s.length() - 1) {
            throw new Invalid("a gradient is one function call with no nested parentheses");
        }
        List<String> args = new ArrayList<>();
        for (String a : s.substring(open + 1, s.length() - 1).split(",", -1)) {
            args.add(a.strip());
        }
        if (!fn.equals("linear-gradient") && !fn.equals("radial-gradient")) {
            throw new Invalid("'" + fn + "(' is not allowed; only linear-gradient( and radial-gradient(");
        }
        List<String> out = new ArrayList<>();
        int first = 0;
        String head = args.get(0);
        if (fn.equals("linear-gradient") && isLinearDirection(head)) {
            out.add(head);
            first = 1;
        } else if (fn.equals("radial-gradient") && isRadialShape(head)) {
            out.add(head);
            first = 1;
        }
        if (args.size() - first < 2) {
            throw new Invalid("a gradient needs at least two colours");
        }
        for (String stop : args.subList(first, args.size())) {
            out.add(stop(stop));
        }
        return new Background(fn + "(" + String.join(", ", out) + ")");
    }

    private static boolean isLinearDirection(String s) {
        if (ANGLE.matcher(s).matches()) {
            return true;
        }
        String[] w = s.split(" ");
        if (!w[0].equals("to") || w.length < 2 || w.length > 3) {
            return false;
        }
        return SIDES.contains(w[1]) && (w.length == 2 || SIDES.contains(w[2]) && !w[1].equals(w[2]));
    }

    private static boolean isRadialShape(String s) {
        String[] w = s.split(" ");
        int i = 0;
        if (i < w.length && (w[i].equals("circle") || w[i].equals("ellipse"))) {
            i++;
        }
        if (i < w.length && w[i].equals("at")) {
            int positions = w.length - i - 1;
            if (positions < 1 || positions > 2) {
                return false;
            }
            for (int j = i + 1; j < w.length; j++) {
                if (!POSITIONS.contains(w[j])) {
                    return false;
                }
            }
            return true;
        }
        return i > 0 && i == w.length;
    }

    /** A colour stop: a colour and up to two percentages. */
    private static String stop(String s) throws Invalid {
        String[] w = s.split(" ");
        if (w.length > 3 || w[0].isEmpty()) {
            throw new Invalid("'" + s + "' is not a colour stop (a colour, then up to two percentages)");
        }
        StringBuilder sb = new StringBuilder(color(w[0]));
        for (int i = 1; i < w.length; i++) {
            if (!PERCENT.matcher(w[i]).matches()) {
                throw new Invalid("'" + w[i] + "' is not a percentage from 0% to 100%");
            }
            sb.append(' ').append(w[i]);
        }
        return sb.toString();
    }

    private static String color(String s) throws Invalid {
        if (HEX.matcher(s).matches() || NamedColors.NAMES.contains(s)) {
            return s;
        }
        throw new Invalid("'" + s + "' is not a colour (a hex colour such as #d51f6f, or a CSS colour name)");
    }
}
