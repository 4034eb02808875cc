package birdbath.linode;

import birdbath.BirdbathException;
import birdbath.Secret;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Linode API v4 over java.net.http: Bearer auth, pagination, X-Filter, Linode's error model, 429 with
 * Retry-After, retries with capped exponential backoff and full jitter, pacing of instance creation.
 * A create is never re-sent blindly: after an ambiguous failure the resource is looked up first.
 * The token is only ever put in the Authorization header; no message, log line or exception carries it.
 */
public final class LinodeApi {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE_SIZE = 500;

    /** Sees every exchange, for logs and benchmarks: method, path, status (0: no answer), milliseconds. */
    public interface Listener {
        void exchange(String method, String path, int status, long millis);
    }

    private final String base;
    private final Secret token;
    private final ApiSettings settings;
    private final Listener listener;
    private final HttpClient http;
    private final Map<String, CreatePacer> pacers = new HashMap<>();

    public LinodeApi(String baseUrl, Secret token, ApiSettings settings, Listener listener) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        this.settings = settings;
        this.listener = listener;
        this.http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build();
        CreatePacer.LIMITS.forEach((path, limit) -> pacers.put(path, new CreatePacer(limit)));
    }

    public ApiSettings settings() {
        return settings;
    }

    public JsonNode get(String path) {
        return send("GET", path, null, null, null);
    }

    /** Every item of a collection, all pages, at Linode's largest page size. */
    public List<JsonNode> list(String path, JsonNode filter) {
        List<JsonNode> items = new ArrayList<>();
        int page = 1;
        int pages;
        do {
            JsonNode body = send("GET", path + "?page=" + page + "&page_size=" + PAGE_SIZE, null, filter, null);
            body.path("data").forEach(items::add);
            pages = body.path("pages").asInt(1);
            page++;
        } while (page <= pages);
        return items;
    }

    /** A POST that is not a create (attach, detach): retried on 5xx, as repeating it is harmless. */
    public JsonNode post(String path, JsonNode body) {
        return send("POST", path, body, null, null);
    }

    /**
     * Creates a resource. When the outcome is unknown (5xx, connection lost) {@code existing} is asked first
     * whether it was created after all; only if not is the POST sent again.
     */
    public JsonNode create(String path, JsonNode body, Supplier<Optional<JsonNode>> existing) {
        return send("POST", path, body, null, existing);
    }

    public JsonNode put(String path, JsonNode body) {
        return send("PUT", path, body, null, null);
    }

    /** Deletes; a resource already gone (404) counts as deleted, so a repeated delete is safe. */
    public void delete(String path) {
        try {
            send("DELETE", path, null, null, null);
        } catch (LinodeApiException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    private JsonNode send(String method, String path, JsonNode body, JsonNode filter,
                          Supplier<Optional<JsonNode>> existing) {
        long deadline = System.nanoTime() + settings.deadline().toNanos();
        int failures = 0;
        String what = method + " " + path.replaceAll("\\?.*", "");
        while (true) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(settings.requestTimeout())
                    .header("Authorization", "Bearer " + token.reveal())
                    .header("Accept", "application/json")
                    .header("User-Agent", "birdbath");
            if (filter != null) {
                b.header("X-Filter", filter.toString());
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            long started = System.nanoTime();
            HttpResponse<String> response;
            try {
                CreatePacer pacer = existing == null ? null : pacers.get(path);
                if (pacer != null) {
                    pacer.acquire();
                }
                response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                listener.exchange(method, path, 0, elapsed(started));
                failures++;
                if (existing != null) {
                    Optional<JsonNode> found = existing.get();
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
                giveUpIf(failures, deadline, what, 0, "no answer from " + host() + " (" + describe(e) + ")");
                sleep(backoff(failures));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BirdbathException("interrupted during " + what);
            }
            int status = response.statusCode();
            listener.exchange(method, path, status, elapsed(started));
            if (status >= 200 && status < 300) {
                return parse(response.body(), what);
            }
            if (status == 429) {
                long waitMillis = retryAfterMillis(response).orElse(backoff(++failures));
                if (System.nanoTime() + waitMillis * 1_000_000 > deadline) {
                    throw new LinodeApiException(429, what + ": still rate limited by Linode after "
                            + settings.deadline().toSeconds() + " s");
                }
                sleep(waitMillis + ThreadLocalRandom.current().nextLong(0, 250));
                continue;
            }
            if (status >= 500) {
                failures++;
                if (existing != null) {
                    Optional<JsonNode> found = existing.get();
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
                giveUpIf(failures, deadline, what, status, reasons(response.body()));
                sleep(backoff(failures));
                continue;
            }
            throw new LinodeApiException(status, what + " failed (" + status + "): " + reasons(response.body()));
        }
    }

    private void giveUpIf(int failures, long deadline, String what, int status, String why) {
        if (failures >= settings.maxAttempts() || System.nanoTime() > deadline) {
            throw new LinodeApiException(status, what + " failed after " + failures + " attempts: " + why);
        }
    }

    private long backoff(int failures) {
        long cap = Math.min(settings.maxBackoff().toMillis(),
                settings.baseBackoff().toMillis() << Math.min(20, failures - 1));
        return ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    }

    private static Optional<Long> retryAfterMillis(HttpResponse<?> r) {
        return r.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Math.max(0, Long.parseLong(v.trim())) * 1000);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** Linode's {"errors":[{reason, field}]} as "field: reason; reason". */
    static String reasons(String body) {
        try {
            JsonNode errors = JSON.readTree(body).path("errors");
            List<String> parts = new ArrayList<>();
            for (JsonNode e : errors) {
                String field = e.path("field").asText("");
                parts.add(field.isEmpty() ? e.path("reason").asText() : field + ": " + e.path("reason").asText());
            }
            if (!parts.isEmpty()) {
                return String.join("; ", parts);
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linode's error shape: fall through to a short excerpt
        }
        String text = body == null ? "" : body.strip();
        return text.isEmpty() ? "no details" : text.substring(0, Math.min(200, text.length()));
    }

    private static JsonNode parse(String body, String what) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new LinodeApiException(0, what + ": the API answered with something that is not JSON");
        }
    }

    private String host() {
        return URI.create(base).getHost();
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static long elapsed(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BirdbathException("interrupted while waiting to retry");
        }
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
