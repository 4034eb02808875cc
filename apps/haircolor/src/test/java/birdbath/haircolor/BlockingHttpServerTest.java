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

    private BlockingHttpServer server(int maxConnections) throws IOException {
        return new BlockingHttpServer(new InetSocketAddress("127.0.0.1", 0), maxConnections, 100,
                Duration.ofMillis(300), r -> {
                    seen.add(r);
                    return new Response(200, List.of(Map.entry("Content-Type", "text/plain")),
                            ("you said " + r.method() + " " + r.path() + " " + r.body().length + "\n")
                                    .getBytes(StandardCharsets.UTF_8));
                }).start();
    }

    @AfterEach
    void stop() {
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
        cases.put("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n", "400 Bad Request");
        cases.put("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", "400 Bad Request");
        cases.put("GET / HTTP/1.1\r\nHost : h\r\n\r\n", "400 Bad Request");
        cases.put("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", "400 Bad Request");
        cases.put("GET / HTTP/2.0\r\nHost: h\r\n\r\n", "505 HTTP Version Not Supported");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", "400 Bad Request");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n", "400 Bad Request");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", "413 Content Too Large");
        cases.put("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                "501 Not Implemented");
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

    @Test
    void beyondItsLimitAConnectionWaitsForASlot() throws Exception {
        server.close();
        server = server(1);
        try (Socket first = connect(); Socket second = connect()) {
            send(first, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(response(first.getInputStream())).endsWith("you said GET /1 0\n");
            send(second, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
            second.setSoTimeout(500);
            assertThat(readsNothing(second)).as("the second waits while the first is open").isTrue();
            first.close();
            second.setSoTimeout(5_000);
            assertThat(response(second.getInputStream())).endsWith("you said GET /2 0\n");
        }
    }

    private static boolean readsNothing(Socket s) throws IOException {
        try {
            s.getInputStream().read();
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
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
