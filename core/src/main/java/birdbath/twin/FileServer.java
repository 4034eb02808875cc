package birdbath.twin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Plain HTTP on the twin's bridge for what nodes download: the package mirror under /debian/, and release
 * files (the etcd tarball and its SHA256SUMS) under the paths of their upstream URLs. GET and HEAD of regular
 * files below a mounted directory; nothing else.
 */
final class FileServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "twin-files");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Path> mounts = new ConcurrentHashMap<>();

    FileServer(String address) throws IOException {
        server = HttpServer.create(new InetSocketAddress(address, 0), 32);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code dir} at {@code prefix} ("/debian/"). */
    void mount(String prefix, Path dir) {
        mounts.put(prefix, dir);
    }

    /** "http://198.18.7.254:40123" */
    String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Path file = resolve(path);
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (!head && !ex.getRequestMethod().equals("GET")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (file == null || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            long size = Files.size(file);
            ex.sendResponseHeaders(200, head ? -1 : size);
            if (!head) {
                try (InputStream in = Files.newInputStream(file); OutputStream out = ex.getResponseBody()) {
                    in.transferTo(out);
                }
            }
        }
    }

    /** The file under the longest mounted prefix of {@code path}, never outside that mount's directory. */
    private Path resolve(String path) {
        String prefix = mounts.keySet().stream().filter(path::startsWith)
                .max(java.util.Comparator.comparingInt(String::length)).orElse(null);
        if (prefix == null) {
            return null;
        }
        Path root = mounts.get(prefix).toAbsolutePath().normalize();
        Path file = root.resolve(path.substring(prefix.length())).normalize();
        return file.startsWith(root) ? file : null;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
