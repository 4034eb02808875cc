package birdbath.bench;

import birdbath.BirdbathException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP as the benchmarks use it on the servers they start: a free port, waiting for an answer, a GET. */
final class BenchHttp {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private BenchHttp() { }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The body of {@code url} once it answers 200; fails when {@code within} has passed or {@code server} ended. */
    static String await(String url, Duration within, Process server) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return r.body();
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!server.isAlive()) {
                throw new BirdbathException(url + ": its server ended (exit " + server.exitValue() + ")");
            }
            if (System.nanoTime() > deadline) {
                throw new BirdbathException(url + " did not answer 200 within " + within.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** The body of {@code url}, whatever its status. */
    static String get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
