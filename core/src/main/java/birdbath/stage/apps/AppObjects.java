package birdbath.stage.apps;

import birdbath.Secret;
import birdbath.config.AppsSpec;
import birdbath.config.ClusterSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every Kubernetes object of the configured apps, built from birdbath.yaml's {@code apps} section: what
 * `birdbath apps deploy` applies and `birdbath apps render` prints. The same inputs give the same objects.
 */
public final class AppObjects {

    private AppObjects() { }

    /**
     * @param mosquittoTls the broker's CA, certificate and key (from birdbath's CA), when Mosquitto runs
     * @param dashboardUsers the htpasswd lines for Traefik's dashboard (empty: nobody can log in yet)
     */
    public static List<HasMetadata> build(ClusterSpec cluster, AppSecrets secrets, birdbath.pki.Pki.ServiceTls mosquittoTls,
                                          String dashboardUsers) {
        AppsSpec apps = cluster.apps();
        String ingressNode = cluster.nodeLabel(apps.ingressNode());
        List<HasMetadata> all = new ArrayList<>();
        if (apps.traefik() != null) {
            all.addAll(TraefikApp.objects(apps, ingressNode, dashboardUsers));
        }
        if (apps.postgres() != null) {
            all.addAll(PostgresApp.objects(apps.postgres(), secrets));
        }
        if (apps.mosquitto() != null) {
            Map<String, Secret> users = new LinkedHashMap<>();
            for (String user : apps.mosquitto().users()) {
                users.put(user, MosquittoApp.password(secrets, user));
            }
            all.addAll(MosquittoApp.objects(apps.mosquitto(), ingressNode, mosquittoTls, secrets,
                    MosquittoPasswordFile.of(users)));
        }
        if (apps.owntracks2db()) {
            all.addAll(Owntracks2dbApp.objects(secrets));
        }
        if (apps.haircolor() != null) {
            all.addAll(HaircolorApp.objects(apps.haircolor(), apps.postgres() != null, secrets));
        }
        return all;
    }

    /** Multi-document YAML, for kubectl users ({@code kubectl apply -f}). Secret values are base64 only. */
    public static String render(List<HasMetadata> objects) {
        StringBuilder sb = new StringBuilder();
        for (HasMetadata o : objects) {
            String yaml = Serialization.asYaml(o);
            sb.append(yaml.startsWith("---") ? yaml : "---\n" + yaml);
        }
        return sb.toString();
    }
}
