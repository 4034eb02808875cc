package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How objects reach the API server. A field manager owns what it sent: an object created by a plain create is
 * co-owned by the create's manager, and a field birdbath later leaves out (haircolor's database settings, once
 * PostgreSQL is turned off) would stay for ever. So birdbath sends every object by server-side apply as "birdbath",
 * creation included; only a server that answers that it cannot apply (fabric8's mock server) gets a create.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterApplyTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    @Test
    void aNewObjectIsFirstSentAsAServerSideApplyOfBirdbath() throws Exception {
        List<HasMetadata> objects = List.of(new ConfigMapBuilder().withNewMetadata().withName("fresh")
                .withNamespace("default").endMetadata().withData(Map.of("a", "1")).build());
        int before = server.getRequestCount();
        ClusterApply.apply(client, objects);
        List<String> requests = new ArrayList<>();
        for (int i = before; i < server.getRequestCount(); i++) {
            RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
            requests.add(r.getMethod() + " " + r.getPath() + " " + r.getHeader("Content-Type"));
        }
        List<String> writes = requests.stream().filter(r -> !r.startsWith("GET ")).toList();
        assertThat(writes).isNotEmpty();
        assertThat(writes.get(0)).startsWith("PATCH /api/v1/namespaces/default/configmaps/fresh?fieldManager=birdbath")
                .contains("force=true").endsWith("application/apply-patch+yaml");
        assertThat(client.configMaps().inNamespace("default").withName("fresh").get().getData())
                .containsEntry("a", "1");
    }
}
