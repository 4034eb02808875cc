package birdbath.haircolor;

import java.util.List;

/** The two pages. The only dynamic text in CSS is a {@link Background}'s canonical form; the rest is escaped. */
final class Pages {

    static final String TITLE = "what color is christina's hair?";

    private Pages() { }

    static String index(Entry current) {
        String bg = current.background().css();
        return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + html(TITLE) + "</title>\n<style>\n"
                + "html, body { margin: 0; height: 100%; }\n"
                + "body { background: " + bg + "; background-attachment: fixed; min-height: 100vh; }\n"
                + ".sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);"
                + " white-space: nowrap; }\n</style>\n</head>\n<body>\n"
                + "<h1 class=\"sr\">" + html(TITLE) + "</h1>\n"
                + "<p class=\"sr\">Since " + html(current.since()) + " it is " + html(bg) + ".</p>\n"
                + "</body>\n</html>\n";
    }

    static String history(List<Entry> entries) {
        StringBuilder rows = new StringBuilder();
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            rows.append("<li><span class=\"swatch\" style=\"background: ").append(e.background().css())
                    .append("\"></span><time>").append(html(e.since())).append("</time> <code>")
                    .append(html(e.background().css())).append("</code></li>\n");
        }
        return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + html(TITLE) + " (history)</title>\n<style>\n"
                + "body { font-family: sans-serif; margin: 2rem; }\n"
                + "ul { list-style: none; padding: 0; }\n"
                + "li { display: flex; align-items: center; gap: 1rem; margin: 0.5rem 0; }\n"
                + ".swatch { display: inline-block; width: 6rem; height: 3rem; border-radius: 0.3rem; }\n"
                + "</style>\n</head>\n<body>\n<h1>" + html(TITLE) + "</h1>\n<p>Every colour so far, newest"
                + " first.</p>\n<ul>\n" + rows + "</ul>\n<p><a href=\"/\">now</a></p>\n</body>\n</html>\n";
    }

    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
