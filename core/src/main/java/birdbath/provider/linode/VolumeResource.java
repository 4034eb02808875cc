package birdbath.provider.linode;

import birdbath.Poll;
import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.linode.LinodeApiException;
import birdbath.linode.LinodeCloud;
import birdbath.linode.Resources.Instance;
import birdbath.linode.Resources.Volume;
import birdbath.provider.VolumeSize;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One block volume per storage node, labelled like the node and attached to it; volumes beyond storage.nodes
 * removed (with their data) only when the user allows it.
 */
record VolumeResource(ClusterSpec spec, LinodeCloud cloud, Reporter out) {

    private static final ObjectMapper JSON = new ObjectMapper();

    List<Integer> surplus(CloudSnapshot s) {
        return s.volumes().keySet().stream().filter(n -> n > spec.storageNodes()).toList();
    }

    /**
     * @param instances the nodes as known now (a volume is created attached to its node, so applying needs it)
     * @param volumes   where created volumes are put by node number
     */
    List<CloudAction> diff(CloudSnapshot s, Map<Integer, Instance> instances, Map<Integer, Volume> volumes) {
        List<CloudAction> actions = new ArrayList<>();
        for (int n = 1; n <= spec.storageNodes(); n++) {
            int node = n;
            Volume v = s.volumes().get(n);
            Instance i = instances.get(n);
            String label = spec.nodeLabel(n);
            if (v == null) {
                String detail = spec.volumeSizeGb() + " GB, attached to " + label;
                actions.add(CloudAction.create("volume", label, detail, () -> {
                    ObjectNode body = JSON.createObjectNode().put("label", label).put("size", spec.volumeSizeGb())
                            .put("linode_id", i.id());
                    body.putArray("tags").add(spec.tag());
                    Volume created = cloud.createVolume(body);
                    volumes.put(node, created);
                    out.info("  + volume " + created.label() + " created and attached (" + created.size() + " GB)");
                }));
                continue;
            }
            size(v, label).ifPresent(actions::add);
            if (i == null) {
                // its node is made by this run: the volume follows it
                actions.add(CloudAction.update("volume", label, "attach to " + label + " (created by this run)",
                        () -> { }));
            } else if (!Long.valueOf(i.id()).equals(v.linodeId())) {
                actions.add(CloudAction.update("volume", label, "attach to " + i.label(), () -> {
                    if (v.linodeId() != null) {
                        cloud.detachVolume(v.id());
                        awaitDetached(v);
                    }
                    cloud.attachVolume(v.id(), i.id());
                    out.info("  ~ volume " + v.label() + " attached to " + i.label());
                }));
            }
        }
        for (int n : surplus(s)) {
            Volume v = s.volumes().get(n);
            actions.add(CloudAction.delete("volume", v.label(), v.size() + " GB and its data (needs --yes)",
                    () -> delete(v)));
        }
        return actions;
    }

    /** A volume smaller than storage.volume_size_gb grows (the brick's filesystem follows in the storage stage). */
    private java.util.Optional<CloudAction> size(Volume v, String label) {
        if (!VolumeSize.mustGrow(spec, label, v.size())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(CloudAction.update("volume", label, VolumeSize.growth(spec, v.size()), () -> {
            cloud.resizeVolume(v.id(), spec.volumeSizeGb());
            out.info("  ~ volume " + v.label() + " resized to " + spec.volumeSizeGb() + " GB");
        }));
    }

    /** Creates and attaches what is missing and waits until all are active; the volumes by node number. */
    Map<Integer, Volume> ensure(CloudSnapshot s, Map<Integer, Instance> running, int parallelism) {
        Map<Integer, Volume> volumes = new ConcurrentHashMap<>(s.volumes());
        List<CloudAction> actions = diff(s, running, volumes).stream()
                .filter(a -> !(a.change() instanceof birdbath.plan.Change.Delete)).toList();
        CloudAction.applyAll("volumes", actions, parallelism);
        if (!actions.isEmpty()) {
            await("volumes to be active", () -> cloud.volumesTagged(spec.tag()).stream()
                    .filter(v -> v.status().equals("active")).count() >= spec.storageNodes());
        }
        return volumes;
    }

    /** Removes the volumes beyond storage.nodes. */
    void removeSurplus(CloudSnapshot s, int parallelism) {
        CloudAction.applyAll("remove volumes", diff(s, Map.of(), new ConcurrentHashMap<>()).stream()
                .filter(a -> a.change() instanceof birdbath.plan.Change.Delete).toList(), parallelism);
    }

    /** Detaches (if still attached: a deleted instance releases its volume on its own, a little later), deletes. */
    void delete(Volume v) {
        if (cloud.volume(v.id()).linodeId() != null) {
            try {
                cloud.detachVolume(v.id());
            } catch (LinodeApiException e) {
                if (e.status() != 400) {
                    throw e;
                }
            }
            awaitDetached(v);
        }
        cloud.deleteVolume(v.id());
        out.info("  - volume " + v.label() + " deleted");
    }

    private void awaitDetached(Volume v) {
        await("volume " + v.label() + " to detach", () -> cloud.volume(v.id()).linodeId() == null);
    }

    private void await(String what, java.util.function.BooleanSupplier done) {
        Poll.until(what, cloud.api().settings().waitDeadline(), cloud.api().settings().pollInterval(), done);
    }
}
