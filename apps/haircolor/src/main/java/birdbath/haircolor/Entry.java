package birdbath.haircolor;

/** One colour of the history: since when (an ISO date, or a month for the original's entries), and which. */
public record Entry(String since, Background background) { }
