package birdbath.haircolor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The site: GET / (the answer), GET /history, PUT /api/color (authenticated), /healthz, /metrics. Every answer
 * is logged as one line: time, method, path, status, bytes, milliseconds.
 */
public final class HaircolorServer implements AutoCloseable {

    static {
        // headers and body go out in separate writes: without TCP_NODELAY each answer waits for a delayed ACK
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4096;
    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none';"
            + " form-action 'none'; frame-ancestors 'none'";

    private final HttpServer http;
    private final ExecutorService pool;
    private final ColorStore store;
    private final String adminToken;
    private final Metrics metrics = new Metrics();
    private final AccessLog log = new AccessLog();
    /** The answer to GET /, rendered once per colour; looked up again at most once a second (other replicas). */
    private volatile Answer index;
    private volatile String indexColor;
    private volatile long indexChecked;
    /** Held while a colour change compares and stores (two changes at once store one entry each, in turn). */
    final ReentrantLock updates = new ReentrantLock();
    /** Held while the page is checked against the store and rendered. */
    private final ReentrantLock indexLock = new ReentrantLock();
    /** How long /healthz waits for each lock before it says the server is stuck. */
    static final Duration STUCK = Duration.ofSeconds(2);

    /** How long a rendered page is served before the store is asked again (other replicas may have changed it). */
    static final Duration INDEX_RECHECK = Duration.ofSeconds(1);

    private final long recheckNanos;

    /** {@code adminToken} null: updates are disabled. */
    public HaircolorServer(InetSocketAddress address, ColorStore store, String adminToken) throws IOException {
        this(address, store, adminToken, INDEX_RECHECK);
    }

    /** With another {@code indexRecheck} (tests: zero, every page load asks the store). */
    HaircolorServer(InetSocketAddress address, ColorStore store, String adminToken, Duration indexRecheck)
            throws IOException {
        this.recheckNanos = indexRecheck.toNanos();
        this.store = store;
        this.adminToken = adminToken == null || adminToken.isEmpty() ? null : adminToken;
        this.http = HttpServer.create(address, 256);
        this.pool = Executors.newFixedThreadPool(Math.max(4, Runtime.getRuntime().availableProcessors() * 4));
        http.setExecutor(pool);
        http.createContext("/", this::handle);
        refreshIndex();
    }

    /**
     * Reads the store's colour and renders the page if it changed. Locks, in the only order taken anywhere:
     * {@link #updates} (a change, released before this runs), then {@link #indexLock}, then the store's own,
     * which the store never holds while calling back; so no two threads can wait for each other.
     */
    private void refreshIndex() {
        indexLock.lock();
        try {
            Entry current = store.current();
            if (!current.background().css().equals(indexColor) || index == null) {
                index = new Answer(200, "text/html; charset=utf-8",
                        Pages.index(current).getBytes(StandardCharsets.UTF_8), etag(current.background().css()));
                indexColor = current.background().css();
            }
            indexChecked = System.nanoTime();
        } finally {
            indexLock.unlock();
        }
    }

    /**
     * Liveness: whether this process can still answer, i.e. take each of its locks within {@link #STUCK} (the
     * store is readiness's business: a database that is down must not get the pod restarted).
     */
    private Answer health() {
        for (ReentrantLock lock : List.of(updates, indexLock)) {
            try {
                if (!lock.tryLock(STUCK.toMillis(), TimeUnit.MILLISECONDS)) {
                    return Answer.text(503, "stuck: a lock has been held for over " + STUCK.toSeconds() + " s");
                }
                lock.unlock();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Answer.text(503, "interrupted");
            }
        }
        return Answer.text(200, "ok");
    }

    private Answer index() {
        if (System.nanoTime() - indexChecked >= recheckNanos) {
            refreshIndex();
        }
        return index;
    }

    public HaircolorServer start() {
        http.start();
        return this;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(1);
        pool.shutdown();
        log.close();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Answer(int status, String type, byte[] body, String etag) {
        static Answer text(int status, String text) {
            return new Answer(status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8),
                    null);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        String route = switch (path) {
            case "/", "/history", "/api/color", "/healthz", "/readyz", "/metrics" -> path;
            default -> "other";
        };
        Answer a;
        try {
            a = answer(ex, route, method);
        } catch (RuntimeException e) {
            System.err.println(Instant.now() + " error " + method + " " + path + ": " + e);
            a = Answer.text(500, "internal error");
        }
        int status = a.status();
        var h = ex.getResponseHeaders();
        h.set("Content-Type", a.type());
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Content-Security-Policy", CSP);
        h.set("Referrer-Policy", "no-referrer");
        if (a.etag() != null) {
            h.set("ETag", a.etag());
            // revalidate every time: a changed colour shows at once, an unchanged one costs a 304
            h.set("Cache-Control", "no-cache");
            String match = ex.getRequestHeaders().getFirst("If-None-Match");
            if (a.etag().equals(match)) {
                status = 304;
            }
        } else {
            h.set("Cache-Control", "no-store");
        }
        long length = 0;
        if (status == 304 || method.equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
        } else {
            length = a.body().length;
            ex.sendResponseHeaders(status, length == 0 ? -1 : length);
            if (length > 0) {
                ex.getResponseBody().write(a.body());
            }
        }
        ex.close();
        double elapsed = (System.nanoTime() - start) / 1e9;
        metrics.request(route, status, elapsed);
        log.line(Instant.now() + " " + method + " " + (route.equals("other") ? "-" : path) + " " + status + " "
                + length + " " + Math.round(elapsed * 1e6) / 1000.0 + "ms");
    }

    private Answer answer(HttpExchange ex, String route, String method) throws IOException {
        boolean read = method.equals("GET") || method.equals("HEAD");
        switch (route) {
            case "/":
                if (!read) {
                    return Answer.text(405, "GET only");
                }
                return index();
            case "/history":
                if (!read) {
                    return Answer.text(405, "GET only");
                }
                var all = store.history();
                String page = Pages.history(all);
                return new Answer(200, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8), etag(page));
            case "/api/color":
                return method.equals("PUT") ? update(ex) : method.equals("GET") ? colorJson(store.current())
                        : Answer.text(405, "GET or PUT");
            case "/healthz":
                return health();
            case "/readyz":
                try {
                    store.current();
                    return Answer.text(200, "ok");
                } catch (RuntimeException e) {
                    return Answer.text(503, "not ready: " + e.getMessage());
                }
            case "/metrics":
                return new Answer(200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render().getBytes(StandardCharsets.UTF_8), null);
            default:
                return Answer.text(404, "not found");
        }
    }

    private Answer update(HttpExchange ex) throws IOException {
        if (adminToken == null) {
            return Answer.text(403, "updates are disabled: HAIRCOLOR_ADMIN_TOKEN is not set");
        }
        if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"haircolor\"");
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"haircolor\", charset=\"UTF-8\"");
            return Answer.text(401, "authentication required: a bearer token, or basic auth with the token as"
                    + " password");
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            return Answer.text(413, "the body is larger than " + MAX_BODY + " bytes");
        }
        String wanted;
        try {
            JsonNode doc = JSON.readTree(body);
            if (doc == null || !doc.path("background").isTextual()) {
                return Answer.text(400, "expected JSON {\"background\": \"...\"}, where the background is "
                        + Background.GRAMMAR);
            }
            wanted = doc.path("background").asText();
        } catch (IOException e) {
            return Answer.text(400, "the body is not JSON; expected {\"background\": \"...\"}");
        }
        Background bg;
        try {
            bg = Background.parse(wanted);
        } catch (Background.Invalid e) {
            return Answer.text(400, e.getMessage() + ". Allowed: " + Background.GRAMMAR);
        }
        boolean changed = false;
        updates.lock();
        try {
            if (!store.current().background().equals(bg)) {
                store.add(new Entry(LocalDate.now(ZoneOffset.UTC).toString(), bg));
                changed = true;
            }
        } finally {
            updates.unlock();
        }
        if (changed) {
            refreshIndex(); // outside the update lock: see refreshIndex
            metrics.colorChanged();
        }
        return colorJson(store.current());
    }

    private static Answer colorJson(Entry e) throws IOException {
        byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().put("background", e.background().css())
                .put("since", e.since()));
        return new Answer(200, "application/json", body, null);
    }

    private boolean authorized(String header) {
        if (header == null) {
            return false;
        }
        String presented = null;
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).strip();
        } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(header.substring(6).strip()),
                        StandardCharsets.UTF_8);
                presented = pair.substring(pair.indexOf(':') + 1);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                adminToken.getBytes(StandardCharsets.UTF_8));
    }

    static String etag(String content) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
