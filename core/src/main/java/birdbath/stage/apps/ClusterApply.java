package birdbath.stage.apps;

import birdbath.Hashes;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies objects by server-side apply (field manager "birdbath", creation included), but only those that
 * changed: each carries
 * the SHA-256 of what birdbath last applied in an annotation, so a second deploy writes nothing and a changed
 * hostname touches only the objects that contain it. Objects the config no longer wants are deleted by name
 * ({@link #delete}).
 */
public final class ClusterApply {

    public static final String MANAGER = "birdbath";
    static final String HASH = "birdbath.dev/applied-sha256";

    public enum Outcome { CREATED, UPDATED, UNCHANGED, DELETED }

    /** What happened to one object. */
    public record Applied(String kind, String namespace, String name, Outcome outcome) { }

    private ClusterApply() { }

    public static List<Applied> apply(KubernetesClient client, List<HasMetadata> objects) {
        List<Applied> done = new ArrayList<>();
        for (HasMetadata o : objects) {
            String hash = hash(o);
            HasMetadata live = client.resource(o).get();
            Outcome outcome;
            if (live != null && hash.equals(annotation(live))) {
                outcome = Outcome.UNCHANGED;
            } else {
                Map<String, String> annotations = new HashMap<>(o.getMetadata().getAnnotations() == null ? Map.of()
                        : o.getMetadata().getAnnotations());
                annotations.put(HASH, hash);
                o.getMetadata().setAnnotations(annotations);
                send(client, o, live);
                outcome = live == null ? Outcome.CREATED : Outcome.UPDATED;
            }
            done.add(new Applied(o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName(), outcome));
        }
        return done;
    }

    /**
     * Deletes those of {@code objects} (only kind, namespace and name count) that exist, with what they own (a
     * CronJob's Jobs and their pods) left to the API server's garbage collector.
     */
    public static List<Applied> delete(KubernetesClient client, List<HasMetadata> objects) {
        List<Applied> done = new ArrayList<>();
        for (HasMetadata o : objects) {
            // what was not there comes back as no details, with no error
            if (!client.resource(o).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete().isEmpty()) {
                done.add(new Applied(o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName(),
                        Outcome.DELETED));
            }
        }
        return done;
    }

    /**
     * Server-side apply as "birdbath", creation included: a plain create would leave its own field manager co-owning
     * every field, and a field birdbath later leaves out would never be removed.
     */
    private static void send(KubernetesClient client, HasMetadata o, HasMetadata live) {
        try {
            client.resource(o).fieldManager(MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            // a server without server-side apply (fabric8's mock server: 415, or 404 for what does not exist yet)
            if (e.getCode() != 415 && !(e.getCode() == 404 && live == null)) {
                throw e;
            }
            if (live == null) {
                client.resource(o).create();
            } else {
                o.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
                client.resource(o).update();
            }
        }
    }

    /** The object as birdbath wants it, without the hash annotation itself. */
    static String hash(HasMetadata o) {
        Map<String, String> annotations = o.getMetadata().getAnnotations();
        String previous = annotations == null ? null : annotations.remove(HASH);
        try {
            return Hashes.sha256Hex(Serialization.asJson(o).getBytes(StandardCharsets.UTF_8));
        } finally {
            if (previous != null) {
                annotations.put(HASH, previous);
            }
        }
    }

    private static String annotation(HasMetadata live) {
        Map<String, String> a = live.getMetadata().getAnnotations();
        return a == null ? null : a.get(HASH);
    }
}
