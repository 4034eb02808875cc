package birdbath.haircolor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import birdbath.haircolor.BlockingHttpServer.Request;
import birdbath.haircolor.BlockingHttpServer.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The site: GET / (the answer), GET /history, PUT /api/color (authenticated), /healthz, /metrics. Every answer
 * is logged as one line: time, method, path, status, bytes, milliseconds.
 */
public final class HaircolorServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4096;
    /** Connections served at once (each a thread); behind the proxy, a few per proxy replica. */
    private static final int MAX_CONNECTIONS = 256;
    /** How long a request may take to arrive once it has begun. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none';"
            + " form-action 'none'; frame-ancestors 'none'";

    private final BlockingHttpServer http;
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
        refreshIndex();
        this.http = new BlockingHttpServer(address, MAX_CONNECTIONS, MAX_BODY, REQUEST_TIMEOUT, this::handle);
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

    /**
     * The page, checked against the store at most once per recheck: by one request, while the others serve the
     * page as it was (a second old at most) instead of queueing for the store one after another.
     */
    private Answer index() {
        if (System.nanoTime() - indexChecked >= recheckNanos && indexLock.tryLock()) {
            try {
                if (System.nanoTime() - indexChecked >= recheckNanos) {
                    refreshIndex();
                }
            } finally {
                indexLock.unlock();
            }
        }
        return index;
    }

    public HaircolorServer start() {
        http.start();
        return this;
    }

    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        http.close();
        log.close();
    }

    private record Answer(int status, String type, byte[] body, String etag) {
        static Answer text(int status, String text) {
            return new Answer(status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8),
                    null);
        }
    }

    private Response handle(Request request) {
        long start = System.nanoTime();
        String path = request.path();
        String method = request.method();
        String route = switch (path) {
            case "/", "/history", "/api/color", "/healthz", "/readyz", "/metrics" -> path;
            default -> "other";
        };
        List<Map.Entry<String, String>> h = new ArrayList<>(8);
        Answer a;
        try {
            a = answer(request, route, method, h);
        } catch (RuntimeException e) {
            System.err.println(Instant.now() + " error " + method + " " + path + ": " + e);
            a = Answer.text(500, "internal error");
        }
        int status = a.status();
        h.add(Map.entry("Content-Type", a.type()));
        h.add(Map.entry("X-Content-Type-Options", "nosniff"));
        h.add(Map.entry("Content-Security-Policy", CSP));
        h.add(Map.entry("Referrer-Policy", "no-referrer"));
        if (a.etag() != null) {
            h.add(Map.entry("ETag", a.etag()));
            // revalidate every time: a changed colour shows at once, an unchanged one costs a 304
            h.add(Map.entry("Cache-Control", "no-cache"));
            if (a.etag().equals(request.header("If-None-Match"))) {
                status = 304;
            }
        } else {
            h.add(Map.entry("Cache-Control", "no-store"));
        }
        long length = status == 304 || method.equals("HEAD") ? 0 : a.body().length;
        double elapsed = (System.nanoTime() - start) / 1e9;
        metrics.request(route, status, elapsed);
        log.request(method, route.equals("other") ? "-" : path, status, length, elapsed * 1000);
        return new Response(status, h, a.body());
    }

    /** The answer to a request; headers it needs beyond the usual go into {@code headers}. */
    private Answer answer(Request request, String route, String method, List<Map.Entry<String, String>> headers) {
        boolean read = method.equals("GET") || method.equals("HEAD");
        switch (route) {
            case "/":
                if (!read) {
                    return notAllowed(headers, "GET, HEAD");
                }
                return index();
            case "/history":
                if (!read) {
                    return notAllowed(headers, "GET, HEAD");
                }
                var all = store.history();
                String page = Pages.history(all);
                return new Answer(200, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8), etag(page));
            case "/api/color":
                return method.equals("PUT") ? update(request, headers) : read ? colorJson(store.current())
                        : notAllowed(headers, "GET, HEAD, PUT");
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

    /** 405, with the methods the resource takes (RFC 9110 15.5.6). */
    private static Answer notAllowed(List<Map.Entry<String, String>> headers, String allow) {
        headers.add(Map.entry("Allow", allow));
        return Answer.text(405, allow + " only");
    }

    private Answer update(Request request, List<Map.Entry<String, String>> headers) {
        if (adminToken == null) {
            return Answer.text(403, "updates are disabled: HAIRCOLOR_ADMIN_TOKEN is not set");
        }
        if (!authorized(request.header("Authorization"))) {
            headers.add(Map.entry("WWW-Authenticate", "Bearer realm=\"haircolor\""));
            headers.add(Map.entry("WWW-Authenticate", "Basic realm=\"haircolor\", charset=\"UTF-8\""));
            return Answer.text(401, "authentication required: a bearer token, or basic auth with the token as"
                    + " password");
        }
        byte[] body = request.body(); // at most MAX_BODY: the server answers 413 to a larger one
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

    private static Answer colorJson(Entry e) {
        try {
            byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().put("background", e.background().css())
                    .put("since", e.since()));
            return new Answer(200, "application/json", body, null);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible); // a tree of two strings always writes
        }
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
