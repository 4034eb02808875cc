package birdbath.stage;

import birdbath.BirdbathException;
import birdbath.stage.apps.AppsStage;
import birdbath.stage.backup.BackupStage;
import birdbath.stage.baseline.BaselineStage;
import birdbath.stage.etcd.EtcdStage;
import birdbath.stage.ipsec.IpsecStage;
import birdbath.stage.kubernetes.KubernetesStage;
import birdbath.stage.machineid.MachineIdStage;
import birdbath.stage.pki.PkiStage;
import birdbath.stage.provision.ProvisionStage;
import birdbath.stage.storage.StorageStage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The stages of `up`, in order, and the rules every stage runs by: skipped where it does not apply, files checked. */
public final class Pipeline {

    public static final ProvisionStage PROVISION = new ProvisionStage();

    public static final List<Stage> STAGES = List.of(PROVISION, new MachineIdStage(), new BaselineStage(),
            new PkiStage(), new IpsecStage(), new EtcdStage(), new KubernetesStage(), new StorageStage(),
            new BackupStage(), new AppsStage());

    private Pipeline() { }

    public static List<String> names() {
        return STAGES.stream().map(Stage::name).toList();
    }

    public static Stage named(String name) {
        return STAGES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() ->
                new BirdbathException("unknown stage '" + name + "'; stages in this version: "
                        + String.join(", ", names())));
    }

    /** From {@code from} to the end, or only those in {@code only}, or all; in pipeline order. */
    public static List<Stage> select(List<String> only, String from) {
        only.forEach(Pipeline::named);
        if (from != null) {
            return STAGES.subList(STAGES.indexOf(named(from)), STAGES.size());
        }
        return only.isEmpty() ? STAGES : STAGES.stream().filter(s -> only.contains(s.name())).toList();
    }

    /** Converges the stage, or says why it does nothing for this config. */
    public static void converge(Stage stage, StageRun run) {
        Optional<Stage.Skip> skip = stage.skip(run.spec());
        if (skip.isPresent()) {
            if (skip.get().warning()) {
                run.out().warn(stage.name() + ": " + skip.get().why());
            } else {
                run.out().info("  nothing to do: " + skip.get().why());
            }
            return;
        }
        stage.converge(run);
    }

    /** The stage's own probes, then its files as rendered; nothing where the stage does not apply. */
    public static List<CheckResult> check(Stage stage, StageRun run) {
        if (stage.skip(run.spec()).isPresent()) {
            return List.of();
        }
        List<CheckResult> results = new ArrayList<>(stage.check(run));
        results.addAll(DeployedFiles.check(stage, run));
        return results;
    }
}
