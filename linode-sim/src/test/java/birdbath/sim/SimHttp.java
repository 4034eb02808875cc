package birdbath.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The simulator's API over real HTTP, as a client sees it, for the tests. */
final class SimHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final LinodeSim sim;

    SimHttp(LinodeSim sim) {
        this.sim = sim;
    }

    HttpResponse<String> call(String method, String path, String body, String filter) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .header("Authorization", "Bearer t0ken");
        if (filter != null) {
            b.header("X-Filter", filter);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The answer of a call that must succeed. */
    JsonNode ok(String method, String path, String body) throws Exception {
        HttpResponse<String> r = call(method, path, body, null);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
