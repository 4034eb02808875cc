package birdbath.stage.apps;

import birdbath.Hashes;
import birdbath.stage.Template;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each service's own PostgreSQL role and database, so that neither holds the superuser: a Job runs
 * postgres-roles.sh (with postgres-roles.sql, both in the ConfigMap {@code postgres-roles}) as the superuser,
 * for owntracks2db (role {@code owntracks2db}, database {@code owntracks}) and haircolor (role and database
 * {@code haircolor}) when they use PostgreSQL, each role's password read from that service's own Secret
 * (a projected volume, one file per role). haircolor's history, which earlier versions kept in the database
 * postgres, is copied into its own once. The Job's name carries a digest of what it runs, so a change runs it
 * again; running it again changes nothing.
 */
final class PostgresRoles {

    static final String NAME = "postgres-roles";
    static final String SCRIPT = "postgres-roles.sh";
    static final String SQL = "postgres-roles.sql";
    /** haircolor's table (PostgresColorStore's), which earlier versions kept in the database postgres. */
    static final String HAIRCOLOR_TABLE = "haircolor_history";

    private PostgresRoles() { }

    /** The script and the SQL, as the ConfigMap holds them. */
    static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(SCRIPT, Template.render("apps/" + SCRIPT, Map.of()));
        files.put(SQL, Template.render("apps/" + SQL, Map.of()));
        return files;
    }

    /** One key of a service's Secret as the file {@code role}. */
    private static VolumeProjection password(String secret, String key, String role) {
        return new VolumeProjectionBuilder().withNewSecret().withName(secret).addNewItem().withKey(key)
                .withPath(role).endItem().endSecret().build();
    }

    static List<HasMetadata> objects(boolean owntracks2db, boolean haircolor) {
        String ns = Objects.NAMESPACE;
        Map<String, String> files = files();
        List<String> services = new ArrayList<>();
        List<String> copies = new ArrayList<>();
        List<VolumeProjection> passwords = new ArrayList<>();
        if (owntracks2db) {
            services.add(Owntracks2dbApp.ROLE + ":" + Owntracks2dbApp.DATABASE);
            passwords.add(password(Owntracks2dbApp.CONFIGURATION, Owntracks2dbApp.DB_PASSWORD_KEY,
                    Owntracks2dbApp.ROLE));
        }
        if (haircolor) {
            services.add(HaircolorApp.ROLE + ":" + HaircolorApp.DATABASE);
            copies.add(HaircolorApp.ROLE + ":" + HaircolorApp.DATABASE + ":" + HAIRCOLOR_TABLE);
            passwords.add(password(HaircolorApp.NAME, HaircolorApp.DB_PASSWORD_KEY, HaircolorApp.ROLE));
        }
        List<EnvVar> env = List.of(Objects.fromSecret("PGPASSWORD", PostgresApp.NAME, "password"),
                Objects.env("SERVICES", String.join(" ", services)), Objects.env("COPY", String.join(" ", copies)));
        String digest = Hashes.sha256Hex(String.join("\n", files.values()) + env).substring(0, 10);
        return List.of(
                new ConfigMapBuilder().withMetadata(Objects.meta(NAME, ns, PostgresApp.NAME)).withData(files).build(),
                new JobBuilder().withMetadata(Objects.meta(NAME + "-" + digest, ns, PostgresApp.NAME)).withNewSpec()
                        .withBackoffLimit(10)
                        .withNewTemplate().withNewMetadata().withLabels(Objects.selector(NAME)).endMetadata()
                        .withNewSpec().withRestartPolicy("OnFailure")
                        .addNewContainer().withName(NAME).withImage(PostgresApp.IMAGE)
                        .withCommand("sh", "/birdbath/" + SCRIPT).withEnv(env)
                        .addNewVolumeMount().withName("scripts").withMountPath("/birdbath").withReadOnly(true)
                        .endVolumeMount()
                        .addNewVolumeMount().withName("passwords").withMountPath("/birdbath-passwords")
                        .withReadOnly(true).endVolumeMount().endContainer()
                        .addNewVolume().withName("scripts").withNewConfigMap().withName(NAME).endConfigMap()
                        .endVolume()
                        .addNewVolume().withName("passwords").withNewProjected().withSources(passwords)
                        .endProjected().endVolume()
                        .endSpec().endTemplate().endSpec().build());
    }
}
