package birdbath.haircolor;

import java.util.List;

/** Where the colour and its history live; the last entry of the history is the current colour. */
public interface ColorStore extends AutoCloseable {

    /** Releases what the store holds (a database pool); nothing by default. */
    @Override
    default void close() { }

    /** Every colour, oldest first; never empty (a new store starts with the original's history). */
    List<Entry> history();

    /** Makes {@code entry} the current colour (appended to the history). */
    void add(Entry entry);

    default Entry current() {
        List<Entry> h = history();
        return h.get(h.size() - 1);
    }

    /** The original site's colours (2017-2021), with which every new store begins. */
    static List<Entry> seed() {
        String[][] rows = {
                {"2017-06", "#D51F6F"},
                {"2017-12", "linear-gradient(to bottom, #E936AF, #48145F 40%)"},
                {"2018-09", "#404e7f"},
                {"2018-12", "linear-gradient(#01B48F 30%, #31A994 50%, #1B2D49)"},
                {"2019-01", "linear-gradient(#2052a0 50%, #5f307a 85%, #632b4e)"},
                {"2019-11", "linear-gradient(#0f283e 80%, #143c58)"},
                {"2020-11", "linear-gradient(#0F8BD4 80%, #257F88)"},
                {"2021-04", "linear-gradient(#40368F, #0B4B3A, #25C569, #EAFFA3)"}};
        return java.util.Arrays.stream(rows).map(r -> {
            try {
                return new Entry(r[0], Background.parse(r[1]));
            } catch (Background.Invalid e) {
                throw new IllegalStateException("seed colour " + r[1] + ": " + e.getMessage(), e);
            }
        }).toList();
    }
}
