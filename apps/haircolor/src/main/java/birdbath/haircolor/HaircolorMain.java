package birdbath.haircolor;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * `java -jar haircolor.jar`, configured by environment: HAIRCOLOR_PORT (8080), HAIRCOLOR_ADMIN_TOKEN (updates
 * disabled when unset), HAIRCOLOR_DATA_DIR (where the history file lives, default ./haircolor-data).
 */
public final class HaircolorMain {

    private HaircolorMain() { }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int port;
        try {
            port = Integer.parseInt(env.getOrDefault("HAIRCOLOR_PORT", "8080"));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            System.err.println("haircolor: HAIRCOLOR_PORT must be a port number from 1 to 65535, got '"
                    + env.get("HAIRCOLOR_PORT") + "'");
            System.exit(2);
            return;
        }
        Path data = Path.of(env.getOrDefault("HAIRCOLOR_DATA_DIR", "haircolor-data"));
        ColorStore store;
        try {
            store = new FileColorStore(data);
        } catch (RuntimeException e) {
            System.err.println("haircolor: " + e.getMessage());
            System.exit(2);
            return;
        }
        String token = env.get("HAIRCOLOR_ADMIN_TOKEN");
        HaircolorServer server = new HaircolorServer(new InetSocketAddress(port), store, token).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("haircolor: listening on :" + server.port() + ", history in " + data.toAbsolutePath()
                + (token == null || token.isEmpty() ? ", updates disabled (HAIRCOLOR_ADMIN_TOKEN unset)" : ""));
    }
}
