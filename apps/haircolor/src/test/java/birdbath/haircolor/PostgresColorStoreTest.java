package birdbath.haircolor;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.testkit.TestPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The PostgreSQL store against a real PostgreSQL 15: seeding once, surviving restarts of both sides. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PostgresColorStoreTest {

    private TestPostgres pg;

    @BeforeAll
    void start() throws Exception {
        pg = new TestPostgres();
    }

    @AfterAll
    void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private PostgresColorStore store() {
        return new PostgresColorStore(pg.url(), "postgres", pg.password);
    }

    @Test
    void replicasStartingTogetherSeedOnceAndAColourSurvivesRestartsOfServiceAndDatabase() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<PostgresColorStore>> starts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            starts.add(pool.submit(this::store));
        }
        for (Future<PostgresColorStore> f : starts) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(store().history()).hasSize(8).first().extracting(e -> e.background().css()).isEqualTo("#d51f6f");

        try (HaircolorServer server = new HaircolorServer(new InetSocketAddress("127.0.0.1", 0), store(), "t")
                .start()) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.port() + "/api/color")).header("Authorization", "Bearer t")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"background\": \"#D51F6F\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        pg.stop();
        pg.start();
        PostgresColorStore again = store();
        assertThat(again.current().background().css()).isEqualTo("#d51f6f");
        assertThat(again.history()).hasSize(9);
    }

    /**
     * A hung database (a real PostgreSQL frozen with SIGSTOP): readiness turns false within the store's bounds
     * while liveness stays true (no restart for the database's sake); once the server goes on, readiness comes
     * back by itself and a change is stored, nothing lost.
     */
    @Test
    void aHungDatabaseTurnsReadinessFalseWithinItsBoundAndItRecoversByItself() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (PostgresColorStore store = store(); HaircolorServer server = new HaircolorServer(
                new InetSocketAddress("127.0.0.1", 0), store, "t").start()) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(200);
            int before = store.history().size();
            pg.suspend();
            try {
                long start = System.nanoTime();
                HttpResponse<String> hung = get(http, base + "/readyz");
                java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - start);
                assertThat(hung.statusCode()).as(hung.body()).isEqualTo(503);
                assertThat(hung.body()).startsWith("not ready: ");
                assertThat(took).isLessThan(java.time.Duration.ofSeconds(PostgresColorStore.SOCKET_SECONDS
                        + PostgresColorStore.CONNECT_SECONDS + 3));
                assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
            } finally {
                pg.resume();
            }
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (get(http, base + "/readyz").statusCode() != 200) {
                assertThat(System.nanoTime()).as("ready again within 60 s").isLessThan(deadline);
                Thread.onSpinWait();
            }
            HttpResponse<String> change = http.send(HttpRequest.newBuilder(URI.create(base + "/api/color"))
                    .header("Authorization", "Bearer t").PUT(HttpRequest.BodyPublishers.ofString(
                            "{\"background\": \"" + (store.current().background().css().equals("#123456")
                                    ? "#654321" : "#123456") + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(change.statusCode()).as(change.body()).isEqualTo(200);
            assertThat(store.history()).hasSize(before + 1);
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aWrongPasswordIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PostgresColorStore(pg.url(), "postgres", "wrong"))
                .hasMessageContaining("cannot use the database " + pg.url())
                .hasMessageContaining("password authentication failed");
    }
}
