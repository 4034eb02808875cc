package birdbath.config;

import java.util.regex.Pattern;

/**
 * Strict grammars for the config values that end up in files on the nodes (shell scripts, YAML, env files): a
 * value outside them is refused when the config is loaded, so none can change what such a file means. Each
 * leaves out quotes, backslashes, `$`, backticks, whitespace, `;`, `|`, `&&`-style operators, braces and
 * anything not ASCII (look-alike letters).
 */
public final class Grammar {

    /** An http(s) URL: a host, an optional port, a path and query of inert characters. */
    static final Pattern URL = Pattern.compile(
            "^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[A-Za-z0-9._~%/+=:@?&-]*)?$");
    /** A local mirror may also be a directory: file:///path. */
    static final Pattern FILE_URL = Pattern.compile("^file:///[A-Za-z0-9._~%/+=-]*$");
    /** An e-mail address as Let's Encrypt takes one: a plain local part, a DNS domain. */
    static final Pattern EMAIL = Pattern.compile(
            "^[A-Za-z0-9._%+-]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$");

    private Grammar() { }

    /** Whether {@code url} is an http(s) URL of the grammar, with {@code token} allowed once as a placeholder. */
    static boolean url(String url, String token) {
        return url != null && URL.matcher(token == null ? url : url.replace(token, "x")).matches();
    }

    /** A value as an error message may show it: one line, printable ASCII, at most 80 characters. */
    public static String shown(String value) {
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.length() > 80 ? sb.substring(0, 77) + "..." : sb.toString();
    }
}
