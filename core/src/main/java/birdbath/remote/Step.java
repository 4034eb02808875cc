package birdbath.remote;

import birdbath.BirdbathException;
import birdbath.Shell;
import birdbath.host.Host;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One idempotent thing to make true on a node. Each first checks, and acts only when the check fails:
 * running a step twice changes nothing the second time.
 */
public sealed interface Step permits Step.PutFile, Step.EnsurePackages, Step.EnsureUnit, Step.RunUnless {

    enum Outcome { OK, CHANGED }

    /** A short name for progress and logs ("file /etc/hosts"). */
    String describe();

    Outcome apply(SshConnection c, Set<String> changedPaths);

    /**
     * A command that succeeds exactly when {@link #apply} would find nothing to do in a run that has changed
     * nothing yet, without acting; null when only applying can tell, or when the engine reads it for all steps of
     * the kind at once (files, units). The engine runs the probes of a node's steps together, in one command, so
     * that a converged node costs one round trip.
     */
    String probe();

    /**
     * A declared file with exactly its content, mode and owner; written atomically, only when it differs. A unit
     * file that changed reloads systemd at once, so that the steps after it see the new unit.
     */
    record PutFile(NodeFile file) implements Step {
        public String describe() {
            return "file " + file.path();
        }

        /** Probed with the other files of the run, in one command (see {@link FileStates}). */
        public String probe() {
            return null;
        }

        public Outcome apply(SshConnection c, Set<String> changedPaths) {
            if (FileStates.read(c, List.of(file.path())).matches(file)) {
                return Outcome.OK;
            }
            String q = Shell.quote(file.path());
            String tmp = Shell.quote(file.path() + ".birdbath-new");
            must(c, this, "mkdir -p $(dirname " + q + ") && umask 077 && cat > " + tmp + " && chown " + file.owner()
                    + " " + tmp + " && chmod " + file.mode() + " " + tmp + " && mv -f " + tmp + " " + q
                    + (file.isUnit() ? " && systemctl daemon-reload" : ""), file.content());
            changedPaths.add(file.path());
            return Outcome.CHANGED;
        }
    }

    /** Debian packages installed (apt-get only when one is missing). */
    record EnsurePackages(List<String> packages) implements Step {
        public String describe() {
            return "packages " + String.join(" ", packages);
        }

        public String probe() {
            // dpkg-query fails when it knows one of them not at all
            return "s=$(dpkg-query -W -f='${db:Status-Abbrev}\\n' " + String.join(" ", packages) + " 2>/dev/null) && [ \"$("
                    + "printf '%s\\n' \"$s\" | grep -c '^ii')\" = " + packages.size() + " ]";
        }

        public Outcome apply(SshConnection c, Set<String> changedPaths) {
            if (c.exec(probe()).ok()) {
                return Outcome.OK;
            }
            must(c, this, "export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q " + String.join(" ", packages)
                    + " || (apt-get update -q && apt-get install -y -q " + String.join(" ", packages) + ")", null);
            return Outcome.CHANGED;
        }
    }

    /** A systemd unit enabled and running; restarted when one of {@code restartOn} changed in this run. */
    record EnsureUnit(String unit, List<String> restartOn) implements Step {
        public String describe() {
            return "unit " + unit;
        }

        /** Probed with the other units of the run, in one command (see {@link UnitStates}). */
        public String probe() {
            return null;
        }

        public Outcome apply(SshConnection c, Set<String> changedPaths) {
            UnitStates state = UnitStates.read(c, List.of(unit));
            boolean enabled = state.enabled(unit).equals("enabled");
            boolean active = state.active(unit).equals("active");
            boolean restart = restartOn.stream().anyMatch(changedPaths::contains);
            if (enabled && active && !restart) {
                return Outcome.OK;
            }
            if (!enabled) {
                must(c, this, "systemctl enable " + unit, null);
            }
            String command = active ? "systemctl restart " + unit : "systemctl start " + unit;
            Host.Result r = c.exec(command, null, Duration.ofMinutes(10));
            if (!r.ok()) {
                // systemctl only says "see journalctl": the unit's own last lines say why
                String journal = c.exec("journalctl -u " + unit + " -n 6 --no-pager -o cat").out();
                throw failure(c, this, command, r, journal.isBlank() ? r.err() : journal);
            }
            return Outcome.CHANGED;
        }
    }

    /**
     * Runs {@code command} unless {@code unless} succeeds; with {@code onlyWhenChanged}, only when one of those
     * paths changed in this run.
     */
    record RunUnless(String name, String command, String unless, List<String> onlyWhenChanged) implements Step {
        public RunUnless(String name, String command, String unless) {
            this(name, command, unless, List.of());
        }

        public String describe() {
            return name;
        }

        public String probe() {
            return !onlyWhenChanged.isEmpty() ? "true" : unless;
        }

        public Outcome apply(SshConnection c, Set<String> changedPaths) {
            if (!onlyWhenChanged.isEmpty() && onlyWhenChanged.stream().noneMatch(changedPaths::contains)) {
                return Outcome.OK;
            }
            if (unless != null && c.exec(unless).ok()) {
                return Outcome.OK;
            }
            must(c, this, command, null);
            return Outcome.CHANGED;
        }
    }

    /** Runs a command that has to work, or fails naming node, step, command and the tail of stderr. */
    static Host.Result must(SshConnection c, Step step, String command, byte[] stdin) {
        Host.Result r = c.exec(command, stdin, Duration.ofMinutes(10));
        if (!r.ok()) {
            throw failure(c, step, command, r, r.err().isBlank() ? r.out() : r.err());
        }
        return r;
    }

    /** Names node, step, command and exit code, with the tail of {@code why}. */
    private static StepFailed failure(SshConnection c, Step step, String command, Host.Result r, String why) {
        return new StepFailed(c.node() + ": " + step.describe() + ": `" + command + "` failed (exit " + r.exit()
                + "): " + Host.tail(why));
    }

    /** A step that could not be made true. */
    final class StepFailed extends BirdbathException {
        StepFailed(String message) {
            super(message);
        }
    }
}
