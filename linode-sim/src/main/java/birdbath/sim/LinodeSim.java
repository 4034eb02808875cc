package birdbath.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory, stateful Linode API v4 on loopback: the endpoints birdbath uses, with Linode's paths, fields,
 * error model, pagination, X-Filter, rate limits and moving statuses, plus fault injection.
 */
public final class LinodeSim implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // the JDK server writes headers and body separately: without TCP_NODELAY each answer waits ~40 ms
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final SimOptions options;
    private final SimState state;
    private final Routes routes;
    private final RateLimiter limiter;
    private volatile List<Fault> faults;
    private final SimStats stats = new SimStats();
    private final HttpServer server;
    private final ExecutorService executor;
    private final NodeBackend backend;

    private LinodeSim(SimOptions options, NodeBackend backend) throws IOException {
        this.options = options;
        this.backend = backend;
        this.faults = Fault.parseAll(options.faults());
        this.state = new SimState(options.bootMs(), System::currentTimeMillis, backend);
        this.routes = new Routes(state);
        this.limiter = new RateLimiter(options.rateLimits());
        for (String domain : options.domains()) {
            seedDomain(domain);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), 64);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "linode-sim");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a simulator; {@code close()} stops it. */
    public static LinodeSim start(SimOptions options) throws IOException {
        return new LinodeSim(options, NodeBackend.NONE);
    }

    /** A simulator whose account is made real by {@code backend} (which {@code close()} closes too). */
    public static LinodeSim start(SimOptions options, NodeBackend backend) throws IOException {
        return new LinodeSim(options, backend);
    }

    /** The API base URL, e.g. {@code http://127.0.0.1:41234/v4}. */
    public String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort()
                + "/v4";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public SimStats stats() {
        return stats;
    }

    /** Resource counts by kind (instances, volumes, domains, records, firewalls, vpcs). */
    public Map<String, Integer> counts() {
        return state.counts();
    }

    /** Adds a domain to the account, as a user would have done in the Cloud Manager; returns its id. */
    public long seedDomain(String domain) {
        ObjectNode body = JSON.createObjectNode().put("domain", domain).put("type", "master")
                .put("soa_email", "hostmaster@" + domain);
        return state.createDomain(new Request("POST", "/domains", new long[0], body)).get("id").asLong();
    }

    /** Replaces the fault rules (an empty spec ends fault injection), e.g. before a test inspects the account. */
    public void faults(String spec) {
        this.faults = Fault.parseAll(spec);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        backend.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String rawPath = ex.getRequestURI().getPath();
        String path = rawPath.startsWith("/v4/") ? rawPath.substring(3) : rawPath;
        // every outcome is recorded before the client can see it, so counts never lag behind the answers
        try {
            if (options.latencyMs() > 0) {
                Thread.sleep(options.latencyMs());
            }
            Fault.Action fault = null;
            for (Fault f : faults) {
                if (f.fires(method, path)) {
                    if (f.action() == Fault.Action.DELAY) {
                        Thread.sleep(f.param());
                        continue;
                    }
                    if (f.action() == Fault.Action.STATUS) {
                        int status = f.param();
                        respond(ex, method, path, status, errorBody(status == 429 ? "Too Many Requests"
                                : "Internal Server Error", null), status == 429 ? Map.of("Retry-After", "1") : Map.of());
                        return;
                    }
                    fault = f.action();
                    break;
                }
            }
            if (fault == Fault.Action.DROP) {
                drop(ex, method, path, -1);
                return;
            }
            if (!rawPath.startsWith("/v4/")) {
                throw ApiError.notFound();
            }
            authorize(ex);
            Routes.Match match = routes.match(method, path);
            if (match == null) {
                throw ApiError.notFound();
            }
            RateLimiter.Decision d = limiter.admit(
                    RateLimiter.bucketFor(method, path, match.route().collection()), System.currentTimeMillis());
            Map<String, String> headers = new HashMap<>();
            headers.put("X-RateLimit-Limit", String.valueOf(d.bucket().limit));
            headers.put("X-RateLimit-Remaining", String.valueOf(d.remaining()));
            headers.put("X-RateLimit-Reset", String.valueOf(d.resetEpochSeconds()));
            if (!d.allowed()) {
                headers.put("Retry-After", String.valueOf(d.retryAfterSeconds()));
                respond(ex, method, path, 429, errorBody("Too Many Requests", null), headers);
                return;
            }
            JsonNode body = readBody(ex, method);
            Routes.Result result = match.route().operation().apply(new Request(method, path, match.ids(), body));
            if (!method.equals("GET")) {
                backend.sync(state.account());
            }
            if (fault == Fault.Action.DROP_AFTER) {
                drop(ex, method, path, -2);
                return;
            }
            respond(ex, method, path, 200, render(result, ex), headers);
        } catch (ApiError e) {
            respond(ex, method, path, e.status, errorBody(e.getMessage(), e.field), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drop(ex, method, path, -1);
        } catch (RuntimeException e) {
            respond(ex, method, path, 500, errorBody("Internal simulator error: " + e, null), Map.of());
        }
    }

    private void respond(HttpExchange ex, String method, String path, int status, byte[] body,
                         Map<String, String> headers) throws IOException {
        stats.record(method, path, status);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    /** Closes the connection without an answer: -1 nothing was done, -2 the request was carried out first. */
    private void drop(HttpExchange ex, String method, String path, int status) {
        stats.record(method, path, status);
        ex.close();
    }

    private void authorize(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : "";
        if (token.isEmpty() || (!options.tokens().isEmpty() && !options.tokens().contains(token))) {
            throw new ApiError(401, "Invalid Token", null);
        }
    }

    private static JsonNode readBody(HttpExchange ex, String method) throws IOException {
        if (method.equals("GET") || method.equals("DELETE")) {
            return null;
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            if (bytes.length == 0) {
                return JSON.createObjectNode();
            }
            try {
                JsonNode body = JSON.readTree(bytes);
                if (!body.isObject()) {
                    throw ApiError.badRequest(null, "Request body must be a JSON object");
                }
                return body;
            } catch (JsonProcessingException e) {
                throw ApiError.badRequest(null, "Invalid JSON");
            }
        }
    }

    private byte[] render(Routes.Result result, HttpExchange ex) throws IOException {
        if (result instanceof Routes.One one) {
            return JSON.writeValueAsBytes(one.body());
        }
        if (result instanceof Routes.Empty) {
            return "{}".getBytes(StandardCharsets.UTF_8);
        }
        List<JsonNode> items = ((Routes.Many) result).items();
        String filterHeader = ex.getRequestHeaders().getFirst("X-Filter");
        if (filterHeader != null) {
            try {
                items = new XFilter(JSON.readTree(filterHeader)).apply(items);
            } catch (JsonProcessingException e) {
                throw ApiError.badRequest("X-Filter", "Invalid JSON in X-Filter");
            }
        }
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        int page = intParam(query, "page", 1, 1, Integer.MAX_VALUE);
        int pageSize = intParam(query, "page_size", 100, 25, 500);
        int pages = Math.max(1, (items.size() + pageSize - 1) / pageSize);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        for (int i = (page - 1) * pageSize; i < Math.min(items.size(), page * pageSize); i++) {
            data.add(items.get(i));
        }
        out.put("page", page).put("pages", pages).put("results", items.size());
        return JSON.writeValueAsBytes(out);
    }

    private static int intParam(Map<String, String> query, String name, int dflt, int min, int max) {
        String v = query.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw ApiError.badRequest(name, "Must be " + min + "-" + (max == Integer.MAX_VALUE ? "" : max));
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name, "Must be an integer");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    private static byte[] errorBody(String reason, String field) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode err = out.putArray("errors").addObject().put("reason", reason);
        if (field != null) {
            err.put("field", field);
        }
        return JSON.writeValueAsBytes(out);
    }
}
