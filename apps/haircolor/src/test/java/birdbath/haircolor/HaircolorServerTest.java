package birdbath.haircolor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every route over real HTTP on loopback, with a file store in a temporary directory. */
class HaircolorServerTest {

    static final String TOKEN = "s3cret-token";

    @TempDir
    Path data;

    private HaircolorServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = start(TOKEN);
    }

    private HaircolorServer start(String token) throws Exception {
        return new HaircolorServer(new InetSocketAddress("127.0.0.1", 0), new FileColorStore(data), token).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String json, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/color"))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Colour changes and page loads at once, with the page asked of the store on every load (the one-second
     * recheck at zero, so every load takes the path a load past the second takes): for 3 s, 4 writers and 8
     * readers; every request must answer within 5 s and every thread get on. Before the fix a change held the
     * store's lock and wanted the server's, while a load's recheck held the server's and wanted the store's.
     */
    @Test
    void concurrentColourChangesAndPageLoadsAllGetOn() throws Exception {
        try (HaircolorServer busy = new HaircolorServer(new InetSocketAddress("127.0.0.1", 0),
                new FileColorStore(data.resolve("busy")), TOKEN, java.time.Duration.ZERO).start()) {
            String base = "http://127.0.0.1:" + busy.port();
            String[] colours = {"#d51f6f", "#40368f", "#25c569", "#eaffa3"};
            long end = System.nanoTime() + java.time.Duration.ofSeconds(3).toNanos();
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(12);
            try {
                java.util.List<java.util.concurrent.Future<Integer>> counts = new java.util.ArrayList<>();
                for (int t = 0; t < 12; t++) {
                    boolean writer = t < 4;
                    int id = t;
                    counts.add(threads.submit(() -> {
                        int n = 0;
                        while (System.nanoTime() < end) {
                            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + (writer ? "/api/color"
                                    : "/"))).timeout(java.time.Duration.ofSeconds(5));
                            if (writer) {
                                b.PUT(HttpRequest.BodyPublishers.ofString("{\"background\": \""
                                        + colours[(id + n) % colours.length] + "\"}"))
                                        .header("Authorization", "Bearer " + TOKEN);
                            }
                            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                            assertThat(r.statusCode()).isEqualTo(200);
                            n++;
                        }
                        return n;
                    }));
                }
                for (var c : counts) {
                    assertThat(c.get(30, java.util.concurrent.TimeUnit.SECONDS)).isPositive();
                }
            } finally {
                threads.shutdownNow();
            }
            // afterwards the page shows what the store holds
            String stored = new FileColorStore(data.resolve("busy")).current().background().css();
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("background: " + stored + ";");
        }
    }

    @Test
    void theAnswerIsThePagesBackgroundWithAnEtagThatFollowsTheColour() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(page.body()).contains("<title>what color is christina&#39;s hair?</title>")
                .contains("background: linear-gradient(#40368f, #0b4b3a, #25c569, #eaffa3);")
                .contains("class=\"sr\">Since 2021-04 it is");
        String etag = page.headers().firstValue("ETag").orElseThrow();
        assertThat(get("/", "If-None-Match", etag).statusCode()).isEqualTo(304);

        assertThat(put("{\"background\": \"#D51F6F\"}", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        HttpResponse<String> after = get("/", "If-None-Match", etag);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).contains("background: #d51f6f;");
        assertThat(after.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
    }

    @Test
    void historyListsEveryColourNewestFirstWithSwatches() throws Exception {
        put("{\"background\": \"linear-gradient(to right, gold, navy)\"}", "Bearer " + TOKEN);
        String body = get("/history").body();
        assertThat(body).contains("style=\"background: linear-gradient(to right, gold, navy)\"");
        assertThat(body.indexOf("gold, navy")).isLessThan(body.indexOf("#40368f")).isLessThan(body.indexOf("#d51f6f"));
        assertThat(body.split("<li>")).hasSize(1 + 9);
        assertThat(body).contains("<time>2017-06</time>");
    }

    @Test
    void updatesNeedTheTokenAsBearerOrBasicPassword() throws Exception {
        HttpResponse<String> none = put("{\"background\": \"red\"}", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().allValues("WWW-Authenticate")).anyMatch(v -> v.startsWith("Bearer"))
                .anyMatch(v -> v.startsWith("Basic"));
        assertThat(put("{\"background\": \"red\"}", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(put("{\"background\": \"red\"}", "Basic " + Base64.getEncoder().encodeToString(
                "admin:wrong".getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(401);
        assertThat(put("{\"background\": \"red\"}", "Basic %%%").statusCode()).isEqualTo(401);
        assertThat(get("/api/color").body()).contains("#40368f");
        assertThat(put("{\"background\": \"red\"}", "Basic " + Base64.getEncoder().encodeToString(
                ("admin:" + TOKEN).getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(200);
        assertThat(get("/api/color").body()).contains("\"background\":\"red\"");
    }

    /** A method a resource does not take is 405 with the ones it does (RFC 9110 15.5.6); HEAD goes with GET. */
    @Test
    void aWrongMethodSaysWhichAreAllowed() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/")).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/api/color")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(delete.headers().firstValue("Allow")).contains("GET, HEAD, PUT");
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/api/color")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length").orElse(0)).isPositive();
    }

    @Test
    void withoutATokenUpdatesAreDisabled() throws Exception {
        server.close();
        server = start(null);
        HttpResponse<String> r = put("{\"background\": \"red\"}", "Bearer anything");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("HAIRCOLOR_ADMIN_TOKEN is not set");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"background\": \"red; color: blue\"}", "{\"background\": \"red} body { background: url(x)\"}",
            "{\"background\": \"url(https://evil.example/x.png)\"}", "{\"background\": \"expression(alert(1))\"}",
            "{\"background\": \"red /* */\"}", "{\"background\": \"</style><script>alert(1)</script>\"}",
            "{\"background\": \"linear-gradient(red, url(x))\"}", "{\"background\": \"#12\"}",
            "{\"background\": 5}", "{\"colour\": \"red\"}", "not json", "[]", "{\"background\": \"\"}"})
    void hostileInputIsA400ThatSaysWhatIsAllowedAndChangesNothing(String body) throws Exception {
        String before = get("/").body();
        HttpResponse<String> r = put(body, "Bearer " + TOKEN);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).containsAnyOf("Allowed:", "expected");
        assertThat(get("/").body()).isEqualTo(before);
        assertThat(get("/history").body().split("<li>")).hasSize(1 + 8);
    }

    @Test
    void aRestartKeepsTheColourAndTheHistory() throws Exception {
        put("{\"background\": \"radial-gradient(circle, #fff, #000)\"}", "Bearer " + TOKEN);
        String history = get("/history").body();
        server.close();
        server = start(TOKEN);
        assertThat(get("/").body()).contains("background: radial-gradient(circle, #fff, #000);");
        assertThat(get("/history").body()).isEqualTo(history);
    }

    /**
     * Liveness is the process's own: /healthz says 503 once a lock has been held past the bound (what a deadlock
     * or a change stuck for ever looks like), and 200 again when it is free; readiness (/readyz) is the store's.
     */
    @Test
    void healthFailsWhileTheServerIsStuckAndRecovers() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").body()).isEqualTo("ok\n");
        server.updates.lock();
        try {
            long start = System.nanoTime();
            HttpResponse<String> stuck = get("/healthz");
            assertThat(stuck.statusCode()).isEqualTo(503);
            assertThat(stuck.body()).startsWith("stuck:");
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(HaircolorServer.STUCK);
            assertThat(get("/readyz").statusCode()).isEqualTo(200);
        } finally {
            server.updates.unlock();
        }
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void healthMetricsAndUnknownPaths() throws Exception {
        assertThat(get("/healthz").body()).isEqualTo("ok\n");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        get("/");
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("haircolor_http_requests_total{route=\"/\",status=\"200\"} 1")
                .contains("haircolor_http_requests_total{route=\"other\",status=\"404\"} 1")
                .contains("# TYPE haircolor_color_changes_total counter");
    }
}
