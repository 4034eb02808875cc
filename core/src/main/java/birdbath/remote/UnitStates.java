package birdbath.remote;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether systemd units are enabled and running, read for many units in one {@code systemctl show} (a
 * {@code systemctl} process costs 30-50 ms in a container here; two per unit added up to a quarter of a stage).
 */
public final class UnitStates {

    private final Map<String, Map<String, String>> units = new HashMap<>();

    private UnitStates(List<String> names, String output) {
        // systemctl show prints one block per unit, in the order asked, separated by an empty line
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> block = new HashMap<>();
        for (String line : output.lines().toList()) {
            if (line.isBlank()) {
                if (!block.isEmpty()) {
                    blocks.add(block);
                }
                block = new HashMap<>();
            } else if (line.indexOf('=') > 0) {
                block.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        if (!block.isEmpty()) {
            blocks.add(block);
        }
        if (blocks.size() == names.size()) {
            for (int i = 0; i < names.size(); i++) {
                units.put(names.get(i), blocks.get(i));
            }
        }
    }

    /** The command that prints what {@link #parse} reads, for these units. */
    public static String command(List<String> names) {
        return "systemctl show -p UnitFileState -p ActiveState -- " + String.join(" ", names) + " 2>/dev/null; true";
    }

    public static UnitStates parse(List<String> names, String output) {
        return new UnitStates(names, output);
    }

    public static UnitStates read(SshConnection c, List<String> names) {
        return parse(names, c.exec(command(names)).out());
    }

    /** As {@code systemctl is-enabled} says it: enabled, disabled, masked, generated...; empty when unknown. */
    public String enabled(String unit) {
        return units.getOrDefault(unit, Map.of()).getOrDefault("UnitFileState", "");
    }

    /** As {@code systemctl is-active} says it: active, inactive, failed, activating...; empty when unknown. */
    public String active(String unit) {
        return units.getOrDefault(unit, Map.of()).getOrDefault("ActiveState", "");
    }

    /** Enabled and running. */
    public boolean running(String unit) {
        return enabled(unit).equals("enabled") && active(unit).equals("active");
    }
}
