package birdbath;

import birdbath.config.ClusterSpec;
import birdbath.config.ClusterSpec.ProviderKind;
import birdbath.config.ConfigLoader;
import birdbath.linode.ApiSettings;
import birdbath.plan.Plan;
import birdbath.provider.Node;
import birdbath.provider.Provider;
import birdbath.provider.Providers;
import birdbath.secrets.SecretFiles;
import birdbath.state.StateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What the commands do, as a library: the CLI parses and prints, tests call this directly. */
public final class Birdbath {

    /** The stages of `up`, in order. Later stages join this list as they are built. */
    public static final List<String> STAGES = List.of("provision");

    private final ClusterSpec spec;
    private final Map<String, String> env;
    private final Reporter out;
    private final ApiSettings settings;

    public Birdbath(Path configFile, Map<String, String> env, Reporter out) {
        this(configFile, env, out, ApiSettings.defaults());
    }

    public Birdbath(Path configFile, Map<String, String> env, Reporter out, ApiSettings settings) {
        this.spec = new ConfigLoader(env).load(configFile, out::warn);
        this.env = env;
        this.out = out;
        this.settings = settings;
    }

    public ClusterSpec spec() {
        return spec;
    }

    private Provider provider() {
        return Providers.create(spec, env, out, settings);
    }

    public Plan plan() {
        return provider().plan();
    }

    /**
     * Converges the stages from {@code from} (or all), or only those in {@code only}.
     * @return the nodes as provisioned
     */
    public List<Node> up(List<String> only, String from, boolean allowRemovals) {
        List<String> stages = selectStages(only, from);
        List<Node> nodes = List.of();
        for (String stage : stages) {
            long started = System.nanoTime();
            if (stage.equals("provision")) {
                nodes = provider().up(allowRemovals);
            }
            out.info(String.format(java.util.Locale.ROOT, "%s: done in %.1f s", stage,
                    (System.nanoTime() - started) / 1e9));
        }
        return nodes;
    }

    static List<String> selectStages(List<String> only, String from) {
        for (String s : only) {
            requireStage(s);
        }
        if (from != null) {
            requireStage(from);
            return STAGES.subList(STAGES.indexOf(from), STAGES.size());
        }
        return only.isEmpty() ? STAGES : STAGES.stream().filter(only::contains).toList();
    }

    private static void requireStage(String s) {
        if (!STAGES.contains(s)) {
            throw new BirdbathException("unknown stage '" + s + "'; stages in this version: "
                    + String.join(", ", STAGES));
        }
    }

    public List<String> downListing() {
        return provider().downListing();
    }

    public void down() {
        provider().down();
    }

    public List<Node> nodes() {
        return new StateFiles(spec).read().nodes();
    }

    /** Writes a commented example config; refuses to overwrite an existing file unless {@code force}. */
    public static void init(Path file, ProviderKind provider, boolean force) {
        if (Files.exists(file) && !force) {
            throw new BirdbathException(file + " already exists; pass --force to overwrite it");
        }
        String resource = "/birdbath/config/birdbath." + provider.name().toLowerCase() + ".yaml";
        try (InputStream in = Birdbath.class.getResourceAsStream(resource)) {
            SecretFiles.write(file, in.readAllBytes());
        } catch (IOException e) {
            throw new BirdbathException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
