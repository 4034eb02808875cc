package birdbath.config;

import birdbath.BirdbathException;
import java.util.List;

/** One or more problems in a config file, each a line "file:line: field: what is wrong and what was expected". */
public final class ConfigException extends BirdbathException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
