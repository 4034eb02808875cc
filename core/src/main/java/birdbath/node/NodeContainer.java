package birdbath.node;

import birdbath.BirdbathException;
import birdbath.Poll;
import birdbath.Shell;
import birdbath.host.Host;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One local node: a systemd-nspawn container booting systemd from a copy-on-write overlay of the base image,
 * inside the node's network namespace. Its files live in {@code dir}: upper/, work/, merged/, containerd/ and
 * console.log. The container runs in its own session, so it outlives the birdbath process that started it.
 */
public final class NodeContainer {

    private static final Duration T = Duration.ofSeconds(30);

    private final String name;
    private final Path dir;
    private final NodeCgroup cgroup;

    public NodeContainer(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        // the name and where the node's files are: two clusters on one machine may both have a node "demo-1"
        this.cgroup = new NodeCgroup(name + "-" + birdbath.Hashes.sha256Hex(dir.toAbsolutePath().toString())
                .substring(0, 8));
    }

    public Path merged() {
        return dir.resolve("merged");
    }

    public boolean exists() {
        return Files.isDirectory(dir.resolve("upper"));
    }

    public boolean mounted() {
        return Host.run(T, "mountpoint", "-q", merged().toString()).ok();
    }

    /** The overlay over the base image, mounted (the upper layer keeps the node's own changes across restarts). */
    public void mount(Path baseRootfs) throws IOException {
        if (mounted()) {
            return;
        }
        for (String d : List.of("upper", "work", "merged", "containerd")) {
            Files.createDirectories(dir.resolve(d));
        }
        Host.check(T, "mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + baseRootfs + ",upperdir="
                + dir.resolve("upper") + ",workdir=" + dir.resolve("work"), merged().toString());
    }

    /**
     * Once per node: its hostname, its own SSH host keys and the keys allowed to log in as root. Every time: the
     * node's own files ({@code files}: path inside the node to content, such as its resolver), so that nodes made
     * by an earlier version get them too.
     */
    public void prepare(List<String> authorizedKeys, Map<String, String> files) throws IOException {
        Path root = merged();
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path target = root.resolve(f.getKey().replaceFirst("^/", ""));
            if (Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && Files.readString(target).equals(f.getValue())) {
                continue;
            }
            Files.deleteIfExists(target); // a link in the image (resolv.conf) is replaced, not followed
            Files.createDirectories(target.getParent());
            Files.writeString(target, f.getValue());
        }
        Path marker = dir.resolve("prepared");
        if (Files.exists(marker)) {
            return;
        }
        Files.writeString(root.resolve("etc/hostname"), name + "\n");
        Host.check(T, "ssh-keygen", "-A", "-f", root.toString());
        Path ssh = root.resolve("root/.ssh");
        Files.createDirectories(ssh);
        Files.writeString(ssh.resolve("authorized_keys"), String.join("\n", authorizedKeys) + "\n");
        Host.check(T, "chmod", "700", ssh.toString());
        Host.check(T, "chmod", "600", ssh.resolve("authorized_keys").toString());
        Files.writeString(marker, "");
    }

    /** Sets root's password inside the node (chpasswd in a chroot: the image's own PAM and hashing). */
    public void rootPassword(String password) {
        Host.Result r = Host.run(T, ("root:" + password + "\n").getBytes(StandardCharsets.UTF_8), "chroot",
                merged().toString(), "chpasswd");
        if (!r.ok()) {
            throw new BirdbathException(name + ": setting root's password failed (exit " + r.exit() + ")");
        }
    }

    /**
     * The nspawn process's pid if the container runs, else empty. The process counts only once it is nspawn
     * itself: setsid's and env's command lines name the node too, and while one of them execs the next, the
     * kernel shows an empty command line for a moment (which once made a starting node look dead).
     */
    public Optional<Long> pid() {
        Path pidFile = dir.resolve("nspawn.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Path cmdline = Path.of("/proc", String.valueOf(pid), "cmdline");
            if (Files.exists(cmdline) && isNspawnOf(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8))) {
                return Optional.of(pid);
            }
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private boolean isNspawnOf(String cmdline) {
        String[] args = cmdline.split("\0");
        return args.length > 0 && (args[0].equals("systemd-nspawn") || args[0].endsWith("/systemd-nspawn"))
                && cmdline.contains("\0-M\0" + name + "\0");
    }

    public boolean running() {
        return pid().isPresent();
    }

    /**
     * Boots the container in the node's namespace, with {@code binds} (nspawn's SOURCE[:TARGET], e.g. a loop
     * device); returns once systemd is up and sshd answers at {@code address}. A container
     * that exits while starting is started once more; the second failure carries nspawn's exit status and the
     * console's last lines.
     */
    public void boot(String namespace, String address, List<String> binds) throws IOException {
        if (!running()) {
            try {
                start(namespace, binds);
            } catch (StartFailed first) {
                try {
                    start(namespace, binds);
                } catch (StartFailed second) {
                    throw new BirdbathException(second.getMessage() + " (the first start failed too: "
                            + first.getMessage() + ")");
                }
            }
        } else {
            awaitSystem(pid().orElseThrow(), null);
        }
        Poll.until("sshd on " + name + " (" + address + ":22)", Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(address, 22), 500);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /** One start: nspawn launched in its own session and cgroup, then its systemd up (or a StartFailed saying why). */
    private void start(String namespace, List<String> binds) throws IOException {
        clearPropagation();
        // the starter moves itself into the node's own cgroups, then becomes nspawn (see NodeCgroup)
        StringBuilder enter = new StringBuilder();
        for (Path d : cgroup.create()) {
            enter.append("echo $$ > ").append(Shell.quote(d.resolve("cgroup.procs").toString())).append(" && ");
        }
        // API_VFS_WRITABLE=network: the node sets its own network sysctls (ip_forward...), as a real host does
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", enter + "exec \"$@\"", "sh",
                "setsid", "env", "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1",
                "SYSTEMD_NSPAWN_API_VFS_WRITABLE=network",
                // --resolv-conf=off: the node keeps its own resolver; nspawn would copy the host's (which may
                // name an address tests must never send to)
                "systemd-nspawn", "-D", merged().toString(), "--register=no", "--keep-unit", "-b", "--resolv-conf=off",
                "--network-namespace-path=/run/netns/" + namespace, "--console=pipe", "-M", name,
                "--capability=CAP_NET_ADMIN,CAP_IPC_LOCK", "--system-call-filter=@keyring",
                "--system-call-filter=bpf", "--bind=/dev/fuse",
                "--bind=" + dir.resolve("containerd") + ":/var/lib/containerd"));
        binds.forEach(b -> cmd.add("--bind=" + b));
        Process started = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.appendTo(
                dir.resolve("console.log").toFile())).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Files.writeString(dir.resolve("nspawn.pid"), started.pid() + "\n");
        // sh, setsid and env exec in turn; the process is ours once it is nspawn (or it exited)
        Poll.until(name + "'s systemd-nspawn to start", Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
            if (!started.isAlive()) {
                throw exited(started, "exited at once");
            }
            return running();
        });
        awaitSystem(started.pid(), started);
    }

    /** Waits until the container's systemd runs and lets the admin user in; {@code started} if we started it. */
    private void awaitSystem(long pid, Process started) {
        long[] leader = {0};
        Poll.until(name + " to boot (see " + dir.resolve("console.log") + ")", Duration.ofSeconds(90),
                Duration.ofMillis(100), () -> {
                    if (!Files.exists(Path.of("/proc", String.valueOf(pid)))) {
                        if (started != null) {
                            throw exited(started, "stopped while booting");
                        }
                        throw new BirdbathException(name + ": the container stopped while booting; see "
                                + dir.resolve("console.log") + ": " + Host.tail(readConsole()));
                    }
                    if (leader[0] == 0) {
                        leader[0] = leader(pid);
                    }
                    if (leader[0] == 0) {
                        return false;
                    }
                    String state = Host.run(T, "nsenter", "-t", String.valueOf(leader[0]), "-a", "systemctl",
                            "is-system-running").out().strip();
                    // until systemd-user-sessions has run, /run/nologin lets root in but refuses the admin user
                    return (state.equals("running") || state.equals("degraded")) && Host.run(T, "nsenter", "-t",
                            String.valueOf(leader[0]), "-a", "test", "!", "-e", "/run/nologin").ok();
                });
    }

    private StartFailed exited(Process p, String what) {
        String status;
        try {
            status = p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) ? "exit status " + p.exitValue()
                    : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = "exit status unknown";
        }
        String console = Host.tail(readConsole());
        return new StartFailed(name + ": systemd-nspawn " + what + " (" + status + "); see "
                + dir.resolve("console.log") + (console.isEmpty() ? " (empty)" : ": " + console));
    }

    /** nspawn exited while a node was starting: worth one more try. */
    private static final class StartFailed extends BirdbathException {
        StartFailed(String message) {
            super(message);
        }
    }

    /**
     * What an earlier instance of this container left in /run/systemd/nspawn/propagate/NAME: a new nspawn
     * removes that directory first and refuses (exiting at once) when a mount below it is still there, as
     * seen after a node was stopped and started again. Unmounted (lazily, deepest first) and removed.
     */
    private void clearPropagation() throws IOException {
        Path dir = Path.of("/run/systemd/nspawn/propagate", name);
        if (!Files.exists(dir)) {
            return;
        }
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && (f[4].equals(dir.toString()) || f[4].startsWith(dir + "/"))) {
                mounts.add(f[4]);
            }
        }
        mounts.sort(java.util.Comparator.comparingInt(String::length).reversed());
        for (String m : mounts) {
            Host.run(T, "umount", "-l", m);
        }
        Host.run(T, "rm", "-rf", "--one-file-system", dir.toString());
    }

    /**
     * Runs a shell script in the running container's namespaces with the host's privileges (for what the
     * machine's "hardware" does: a hot-plugged disk appearing in /dev). Fails unless the script exits 0.
     */
    public String inNode(String script) {
        long init = pid().map(NodeContainer::leader).orElse(0L);
        if (init == 0) {
            throw new BirdbathException(name + " is not running");
        }
        return Host.check(T, "nsenter", "-t", String.valueOf(init), "-m", "-u", "-i", "-n", "-p", "sh", "-c", script);
    }

    /** The container's init: the child of nspawn that lives in a new PID namespace (0 until it exists). */
    private static long leader(long nspawnPid) {
        try {
            String ours = Files.readSymbolicLink(Path.of("/proc", String.valueOf(nspawnPid), "ns/pid")).toString();
            Path children = Path.of("/proc", String.valueOf(nspawnPid), "task", String.valueOf(nspawnPid), "children");
            for (String child : Files.readString(children).trim().split("\\s+")) {
                if (child.isEmpty()) {
                    continue;
                }
                Path ns = Path.of("/proc", child, "ns/pid");
                if (Files.exists(ns) && !Files.readSymbolicLink(ns).toString().equals(ours)) {
                    return Long.parseLong(child);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not there yet
        }
        return 0;
    }

    /** Powers the container off (SIGTERM: a clean shutdown), insisting if it takes too long. */
    public void stop() {
        Optional<Long> pid = pid();
        if (pid.isEmpty()) {
            cgroup.remove();
            return;
        }
        String p = String.valueOf(pid.get());
        // gone means gone from /proc: an exiting process loses its cmdline before it has released its mounts
        java.util.function.BooleanSupplier gone = () -> !Files.exists(Path.of("/proc", p));
        Host.run(T, "kill", "-TERM", p);
        try {
            Poll.until(name + " to power off", Duration.ofSeconds(30), Duration.ofMillis(100), gone);
        } catch (BirdbathException first) {
            Host.run(T, "kill", "-TERM", p);
            try {
                Poll.until(name + " to power off", Duration.ofSeconds(30), Duration.ofMillis(100), gone);
            } catch (BirdbathException second) {
                Host.run(T, "kill", "-KILL", p);
                Poll.until(name + " to be killed", Duration.ofSeconds(10), Duration.ofMillis(100), gone);
            }
        }
        cgroup.remove();
    }

    /** Stops the container, unmounts the overlay and deletes the node's files. */
    public void remove() {
        stop();
        if (mounted()) {
            Host.check(T, "umount", merged().toString());
        }
        Host.check(Duration.ofMinutes(2), "rm", "-rf", "--one-file-system", dir.toString());
    }

    private String readConsole() {
        try {
            return Files.readString(dir.resolve("console.log"));
        } catch (IOException e) {
            return "";
        }
    }
}
