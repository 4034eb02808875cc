package birdbath.haircolor;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.haircolor.BlockingHttpServer.Request;
import birdbath.haircolor.BlockingHttpServer.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP server on raw sockets, byte for byte as a client sends them: what it takes, what it refuses (with which
 * status, and that it closes), keep-alive, pipelining, its connection limit and its timeouts (300 ms here).
 */
@Timeout(30)
class BlockingHttpServerTest {

    private final List<Request> seen = new CopyOnWriteArrayList<>();
    private BlockingHttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = server(4);
    }

    /** Held by /slow until released. */
    private final java.util.concurrent.CountDownLatch slow = new java.util.concurrent.CountDownLatch(1);
    /** How many /slow requests have reached the handler. */
    private final java.util.concurrent.atomic.AtomicInteger slowStarted = new java.util.concurrent.atomic.AtomicInteger();

    private BlockingHttpServer server(int maxConnections) throws IOException {
        return new BlockingHttpServer(new InetSocketAddress("127.0.0.1", 0), maxConnections, 100,
                Duration.ofMillis(300), r -> {
                    if (r.path().equals("/throw")) {
                        throw new IllegalStateException("a handler's fault");
                    }
                    if (r.path().equals("/slow")) {
                        slowStarted.incrementAndGet();
                        try {
                            slow.await(10, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    seen.add(r);
                    return new Response(200, List.of(Map.entry("Content-Type", "text/plain")),
                            ("you said " + r.method() + " " + r.path() + " " + r.body().length + "\n")
                                    .getBytes(StandardCharsets.UTF_8));
                }).start();
    }

    @AfterEach
    void stop() {
        slow.countDown();
        server.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(5_000);
        return s;
    }

    /** Everything the server sends until it closes the connection. */
    private static String untilClosed(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** One response: its head, and as many body bytes as its Content-Length says. */
    private static String response(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("a whole response head").isNotNegative();
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Content-Length: (\\d+)").matcher(h);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return h + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void keepsTheConnectionForTheNextRequestAndAnswersPipelinedOnesInOrder() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
            String first = response(s.getInputStream());
            assertThat(first).startsWith("HTTP/1.1 200 OK\r\n").containsPattern(
                    "\r\nDate: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n")
                    .contains("Content-Length: 18")
                    .doesNotContain("Connection: close").endsWith("you said GET /a 0\n");
            send(s, "PUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET /c HTTP/1.1\r\nhost: h\r\n\r\n");
            assertThat(response(s.getInputStream())).endsWith("you said PUT /b 5\n");
            assertThat(response(s.getInputStream())).endsWith("you said GET /c 0\n");
        }
        assertThat(seen).hasSize(3);
        assertThat(new String(seen.get(1).body(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(seen.get(2).header("Host")).isEqualTo("h");
    }

    @Test
    void closesAfterConnectionCloseAndAfterHttp10() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            assertThat(untilClosed(s)).contains("Connection: close\r\n").endsWith("you said GET / 0\n");
        }
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.0\r\n\r\n");
            assertThat(untilClosed(s)).startsWith("HTTP/1.1 200 OK").endsWith("you said GET / 0\n");
        }
    }

    @Test
    void headHasTheLengthAndNoBody() throws Exception {
        try (Socket s = connect()) {
            send(s, "HEAD / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            assertThat(untilClosed(s)).contains("Content-Length: 18\r\n").endsWith("\r\n\r\n");
        }
    }

    /** Each refusal: its status, and the connection closed after it (the rest of the stream cannot be trusted). */
    @Test
    void refusesWhatItDoesNotTakeWithTheStatusThatSaysWhyAndCloses() throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("GET / HTTP/1.1\r\n\r\n", "400 Bad Request");
        cases.put("GET /\r\nHost: h\r\n\r\n", "400 Bad Request");
        cases.put("GET h/ HTTP/1.1\r\nHost: h\r\n\r\n", "400 Bad Request");
        cases.put("GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n", "400 Bad Request");
        cases.put("GET / HTTP/1.1\r\nHost: h\u0000i\r\n\r\n", "400 Bad Request");
        cases.put("GET / HTTP/1.1\r\nHost: h\ri\r\n\r\n", "400 Bad Request");
        cases.put("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", "400 Bad Request");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\u000b\r\n\r\nabc", "400 Bad Request");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n", "400 Bad Request");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", "400 Bad Request");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", "413 Content Too Large");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", "501 Not Implemented");
        cases.put("GET /throw HTTP/1.1\r\nHost: h\r\n\r\n", "500 Internal Server Error");
        cases.put("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", "400 Bad Request");
        cases.put("GET / HTTP/1.1\r\nHost : h\r\n\r\n", "400 Bad Request");
        cases.put("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", "400 Bad Request");
        cases.put("GET / HTTP/2.0\r\nHost: h\r\n\r\n", "505 HTTP Version Not Supported");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", "400 Bad Request");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n", "400 Bad Request");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", "413 Content Too Large");
        cases.put("GET / HTTP/1.1\r\nHost: h\r\nX: " + "x".repeat(BlockingHttpServer.MAX_HEAD) + "\r\n\r\n",
                "431 Request Header Fields Too Large");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            try (Socket s = connect()) {
                send(s, c.getKey() + "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
                String answer = untilClosed(s);
                assertThat(answer).as(c.getKey().lines().findFirst().orElseThrow() + " ...")
                        .startsWith("HTTP/1.1 " + c.getValue() + "\r\n").contains("Connection: close\r\n")
                        .doesNotContain("you said");
            }
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void aRequestThatDoesNotArriveInTimeIs408() throws Exception {
        try (Socket s = connect()) {
            long start = System.nanoTime();
            send(s, "GET / HTTP/1.1\r\nHost: h\r\n"); // and never the empty line
            assertThat(untilClosed(s)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
        try (Socket s = connect()) {
            send(s, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhalf"); // and never the rest
            assertThat(untilClosed(s)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
        }
        try (Socket s = connect()) {
            send(s, "\r\n\r\n"); // empty lines, skipped, and no request after them
            assertThat(untilClosed(s)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
        }
    }

    /**
     * A slow drip, a byte at a time each within the read timeout, is cut off by the request's own deadline: the
     * whole head must come within the timeout of its first byte.
     */
    @Test
    void aSlowDripIsCutOffByTheRequestDeadline() throws Exception {
        try (Socket s = connect()) {
            long start = System.nanoTime();
            String head = "GET / HTTP/1.1\r\nHost: h\r\nX-Slow: " + "y".repeat(40) + "\r\n\r\n";
            try {
                for (int i = 0; i < head.length() && s.getInputStream().available() == 0; i++) {
                    send(s, head.substring(i, i + 1));
                    java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // the drip
                }
            } catch (IOException closedByTheServer) {
                // what it answered is still to be read
            }
            assertThat(untilClosed(s)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
        assertThat(seen).isEmpty();
    }

    /**
     * Connections that send nothing do not lock others out: beyond the limit, a new one closes the one idle
     * longest; only when every one is busy is the new one answered 503.
     */
    @Test
    void beyondItsLimitTheLongestIdleMakesRoomAndOnlyAllBusyIs503() throws Exception {
        server.close();
        server = server(2);
        try (Socket silent = connect(); Socket idle = connect()) {
            send(idle, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(response(idle.getInputStream())).endsWith("you said GET /1 0\n");
            try (Socket third = connect()) {
                send(third, "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(response(third.getInputStream())).endsWith("you said GET /3 0\n");
                assertThat(silent.getInputStream().read()).as("the silent one, idle longest, closed").isNegative();
                send(third, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
                send(idle, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
                awaitSlow(2); // both busy now
                try (Socket fourth = connect()) {
                    send(fourth, "GET /4 HTTP/1.1\r\nHost: h\r\n\r\n");
                    assertThat(untilClosed(fourth)).startsWith("HTTP/1.1 503 Service Unavailable\r\n");
                }
                slow.countDown();
                assertThat(response(third.getInputStream())).endsWith("you said GET /slow 0\n");
                assertThat(response(idle.getInputStream())).endsWith("you said GET /slow 0\n");
            }
        }
    }

    private void awaitSlow(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (slowStarted.get() < n) {
            assertThat(System.nanoTime()).as(n + " /slow requests in the handler").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void takesAbsoluteFormBlankLinesBeforeARequestAndHttp10KeepAlive() throws Exception {
        try (Socket s = connect()) {
            send(s, "\r\nGET http://h/abs?q HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(response(s.getInputStream())).endsWith("you said GET /abs 0\n");
            send(s, "GET /ten HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
            assertThat(response(s.getInputStream())).contains("Connection: keep-alive\r\n")
                    .endsWith("you said GET /ten 0\n");
            send(s, "GET /after HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n");
            assertThat(untilClosed(s)).contains("Connection: close\r\n").endsWith("you said GET /after 0\n");
        }
    }

    @Test
    void decodesAChunkedBody() throws Exception {
        try (Socket s = connect()) {
            send(s, "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n");
            send(s, "6\r\n world\r\n0\r\nTrailer: t\r\n\r\n");
            assertThat(response(s.getInputStream())).endsWith("you said PUT /c 11\n");
        }
        assertThat(new String(seen.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("hello world");
    }

    /** The client waits for 100 Continue before it sends the body (curl waits a second without it). */
    @Test
    void answersExpectContinueBeforeTheBodyComes() throws Exception {
        try (Socket s = connect()) {
            send(s, "PUT /e HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(response(s.getInputStream())).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            send(s, "hello");
            assertThat(response(s.getInputStream())).endsWith("you said PUT /e 5\n");
        }
    }

    /**
     * A body too large for the limit, streamed in full by the client: the client reads the 413. The server reads
     * and drops what the client still sends before it closes (RFC 9112 9.6), against a reset that would lose the
     * answer; a review saw 9 of 20 clients reset without it, but on this loopback the race did not show in this
     * test with the drain taken out, so it proves the answer arrives, not that the drain is what saves it.
     */
    @Test
    void aRefusedLargeBodyStillGetsItsAnswerRead() throws Exception {
        byte[] body = new byte[200_000];
        for (int i = 0; i < 20; i++) {
            try (Socket s = connect()) {
                Thread writer = new Thread(() -> {
                    try {
                        send(s, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length + "\r\n\r\n");
                        s.getOutputStream().write(body);
                    } catch (IOException e) {
                        // the server stopped reading: its answer is what counts
                    }
                });
                writer.start();
                assertThat(untilClosed(s)).as("try " + i).startsWith("HTTP/1.1 413 Content Too Large\r\n");
                writer.join(5_000);
            }
        }
    }

    /** A request being answered when the server closes is answered, with Connection: close. */
    @Test
    void closingLetsARequestUnderWayFinishWithConnectionClose() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
            awaitSlow(1);
            Thread closer = new Thread(server::close);
            closer.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (accepts()) { // close() under way once the listener is gone; it waits for the request
                assertThat(System.nanoTime()).as("the listener closed").isLessThan(deadline);
                Thread.sleep(10);
            }
            slow.countDown();
            assertThat(untilClosed(s)).contains("Connection: close\r\n").endsWith("you said GET /slow 0\n");
            closer.join(5_000);
        }
    }

    private boolean accepts() {
        try (Socket probe = new Socket("127.0.0.1", server.port())) {
            return probe.isConnected();
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    void closingDropsIdleConnectionsAtOnce() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            response(s.getInputStream());
            long start = System.nanoTime();
            server.close();
            assertThat(s.getInputStream().read()).as("closed by the server").isNegative();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        }
    }
}
