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

    @Test
    void aWrongPasswordIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PostgresColorStore(pg.url(), "postgres", "wrong"))
                .hasMessageContaining("cannot use the database " + pg.url())
                .hasMessageContaining("password authentication failed");
    }
}
