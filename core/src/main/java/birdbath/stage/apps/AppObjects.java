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
            if (cluster.backups().on()) {
                all.addAll(PostgresBackup.objects(cluster.backups()));
            }
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
        if (apps.postgres() != null && (apps.owntracks2db() || apps.haircolor() != null)) {
            all.addAll(PostgresRoles.objects(apps.owntracks2db(), apps.haircolor() != null));
        }
        return all;
    }

    /**
     * What birdbath may have applied before and this config does not want (by kind, namespace and name): the
     * PostgreSQL backup CronJob once backups are off or PostgreSQL is gone, so that turning backups off stops the
     * dumps as it stops the etcd timers. The dumps themselves stay on the volume.
     */
    public static List<HasMetadata> unwanted(ClusterSpec cluster) {
        return cluster.apps().postgres() != null && cluster.backups().on() ? List.of()
                : List.of(PostgresBackup.named());
    }

    /** What a Secret's value shows when it is not asked for: no base64, so `kubectl apply` refuses it. */
    public static final String REDACTED = "<redacted: apps render --show-secrets>";

    /**
     * Multi-document YAML, for kubectl users ({@code kubectl apply -f}). Secrets' values are shown only with
     * {@code showSecrets} (base64, as the API wants them); otherwise each is {@link #REDACTED}.
     */
    public static String render(List<HasMetadata> objects, boolean showSecrets) {
        StringBuilder sb = new StringBuilder();
        for (HasMetadata o : objects) {
            if (!showSecrets && o instanceof io.fabric8.kubernetes.api.model.Secret s) {
                o = redacted(s);
            }
            String yaml = Serialization.asYaml(o);
            sb.append(yaml.startsWith("---") ? yaml : "---\n" + yaml);
        }
        return sb.toString();
    }

    private static io.fabric8.kubernetes.api.model.Secret redacted(io.fabric8.kubernetes.api.model.Secret s) {
        io.fabric8.kubernetes.api.model.Secret copy = new io.fabric8.kubernetes.api.model.SecretBuilder(s).build();
        Map<String, String> data = new java.util.TreeMap<>();
        (s.getData() == null ? Map.<String, String>of() : s.getData()).keySet().forEach(k -> data.put(k, REDACTED));
        (s.getStringData() == null ? Map.<String, String>of() : s.getStringData()).keySet()
                .forEach(k -> data.put(k, REDACTED));
        copy.setData(data.isEmpty() ? null : data);
        copy.setStringData(null);
        return copy;
    }
}
