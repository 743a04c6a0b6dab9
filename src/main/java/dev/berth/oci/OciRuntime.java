package dev.berth.oci;

import dev.berth.BerthException;
import dev.berth.cgroup.Cgroup;
import dev.berth.cgroup.Cgroups;
import dev.berth.cgroup.DeviceRule;
import dev.berth.cgroup.Resources;
import dev.berth.json.Json;
import dev.berth.linux.Libc;
import dev.berth.runtime.Confinement;
import dev.berth.runtime.ContainerProcess;
import dev.berth.runtime.ContainerStarter;
import dev.berth.runtime.Exec;
import dev.berth.spec.CapabilityNames;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.ProcessSpec;
import dev.berth.spec.ResourcesSpec;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The OCI runtime's operations on containers kept under one state root (runc's {@code --root}):
 * create, start, state, kill, delete, exec, pause, resume, update, ps, list. A container's processes are
 * never children of a long-lived berth process: {@code create} leaves the first one waiting before its
 * command (the same start sequence as {@code berth run}, held at its start FIFO) and exits, so the
 * engine's shim, a subreaper, inherits it.
 */
public final class OciRuntime {
    /** runc's rule for container ids. */
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[\\w+.-]{1,1024}");
    private static final String DEFAULT_CGROUP_PARENT = "berth-oci";

    private final Path root;

    public OciRuntime(Path root) {
        this.root = root;
    }

    /** What create returns: the container's first process as this PID namespace sees it. */
    public record Created(int pid) {}

    public Created create(String id, Path bundle, Path pidFile, String consoleSocket) {
        checkId(id);
        bundle = bundle.toAbsolutePath().normalize();
        BundleConfig config = BundleConfig.read(bundle);
        ContainerSpec spec = config.spec();
        if (spec.process().terminal() && consoleSocket == null) {
            throw new OciException("process.terminal is true but no --console-socket was given");
        }
        Path dir = containerDir(id);
        try {
            Files.createDirectories(root);
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new OciException("container " + id + " already exists");
        } catch (IOException e) {
            throw new OciException("cannot create " + dir + ": " + e.getMessage());
        }
        String cgroupsPath = cgroupsPath(id, spec.linux().cgroupsPath());
        Cgroup group = null;
        ContainerProcess process = null;
        try {
            Files.copy(bundle.resolve("config.json"), dir.resolve("config.json"));
            group = createGroup(cgroupsPath, spec);
            ContainerSpec withCgroupMounts = CgroupMounts.expand(spec, cgroupsPath);
            process = ContainerStarter.create(withCgroupMounts, ContainerStarter.Stdio.of(ContainerStarter.Stdin.INHERIT),
                    confinementOf(group));
            long started = dev.berth.linux.Procfs.startTime(process.pid()).orElse(0);
            OciState state = new OciState(id, process.pid(), started, bundle.toString(), spec.root().path(),
                    Instant.now().toString(), cgroupsPath, spec.annotations());
            Json.writeAtomically(dir.resolve("state.json"), state.toRecord());
            if (process.terminal() != null) {
                Libc.sendFd(consoleSocket, process.terminal().masterFd(), "/dev/pts/ptmx");
            }
            String stateJson = Json.renderCompact(state.view("created"));
            Hooks.run("prestart", config.hooks().prestart(), stateJson);
            Hooks.run("createRuntime", config.hooks().createRuntime(), stateJson);
            Hooks.run("createContainer", config.hooks().createContainer(), stateJson);
            if (pidFile != null) {
                writeAtomically(pidFile, String.valueOf(process.pid()));
            }
            return new Created(process.pid());
        } catch (RuntimeException | IOException e) {
            if (process != null) {
                Libc.kill(process.pid(), 9);
            }
            if (group != null) {
                group.destroy();
                removeDefaultParent(cgroupsPath);
            }
            deleteTree(dir);
            if (e instanceof BerthException b) {
                throw b;
            }
            throw new OciException("cannot create container " + id + ": " + e.getMessage(), e);
        }
    }

    public void start(String id) {
        OciState state = load(id);
        String status = status(state);
        if (!status.equals("created")) {
            throw new OciException("cannot start a container that is " + status + " (only a created one)");
        }
        BundleConfig config = storedConfig(state);
        String stateJson = Json.renderCompact(state.view("created"));
        for (Hooks.Hook hook : config.hooks().startContainer()) {
            runInContainer(state, hook, stateJson);
        }
        if (!ContainerStarter.release(state.pid())) {
            throw new OciException("container " + id + " is no longer waiting to start");
        }
        ContainerStarter.endUserNamespaceSpawnerOf(state.pid());
        try {
            Hooks.run("poststart", config.hooks().poststart(), Json.renderCompact(state.view("running")));
        } catch (BerthException e) {
            System.err.println("berth-oci: warning: " + e.getMessage()); // the spec: a poststart failure is a warning
        }
    }

    public Map<String, Object> state(String id) {
        OciState state = load(id);
        return state.view(status(state));
    }

    public void kill(String id, int signal, boolean all) {
        OciState state = load(id);
        String status = status(state);
        if (status.equals("stopped")) {
            throw new OciException("container not running");
        }
        if (all) {
            for (int pid : group(state).processes()) {
                killQuietly(pid, signal);
            }
        } else {
            Libc.kill(state.pid(), signal);
        }
    }

    /** Removes a stopped container; a created, running or paused one only with force, by SIGKILL. Absent is fine with force. */
    public void delete(String id, boolean force) {
        checkId(id);
        if (!Files.isDirectory(containerDir(id))) {
            if (force) {
                return;
            }
            throw new OciException("container " + id + " does not exist");
        }
        OciState state = loadOrNull(id);
        if (state == null) { // a create that did not finish (it removes its own directory on failure)
            deleteTree(containerDir(id));
            return;
        }
        String status = status(state);
        if (!status.equals("stopped") && !force) { // the runtime spec: only a stopped one, unless forced
            throw new OciException("cannot delete container " + id + " that is " + status + ", use --force");
        }
        Cgroup group = group(state);
        if (!status.equals("stopped")) {
            ContainerStarter.endUserNamespaceSpawnerOf(state.pid()); // before its child dies: then it is found
            for (int pid : group.processes()) {
                killQuietly(pid, 9);
            }
            killQuietly(state.pid(), 9);
            if (status.equals("paused")) {
                group.freeze(false);
            }
            awaitStopped(state);
        }
        group.destroy();
        removeDefaultParent(state.cgroupsPath());
        BundleConfig config = storedConfigOrNull(state);
        deleteTree(containerDir(id));
        if (config != null) {
            try {
                Hooks.run("poststop", config.hooks().poststop(), Json.renderCompact(state.view("stopped")));
            } catch (BerthException e) {
                System.err.println("berth-oci: warning: " + e.getMessage());
            }
        }
    }

    /** A new process in a running container; returns it (the caller waits for it, or lets it go with --detach). */
    public ContainerProcess exec(String id, ProcessSpec process, String consoleSocket) {
        OciState state = load(id);
        String status = status(state);
        if (!status.equals("running") && !status.equals("created")) {
            throw new OciException("cannot exec in a container that is " + status);
        }
        if (process.terminal() && consoleSocket == null) {
            throw new OciException("a terminal needs --console-socket");
        }
        BundleConfig config = storedConfig(state);
        ContainerProcess started = Exec.exec(state.pid(), process, config.spec().linux().seccomp(), confinementOf(group(state)),
                ContainerStarter.Stdio.of(ContainerStarter.Stdin.INHERIT));
        if (started.terminal() != null) {
            Libc.sendFd(consoleSocket, started.terminal().masterFd(), "/dev/pts/ptmx");
        }
        return started;
    }

    /** The container's own process settings (config.json's process), the base of an exec from flags. */
    public ProcessSpec containerProcess(String id) {
        return storedConfig(load(id)).spec().process();
    }

    public void pause(String id) {
        OciState state = load(id);
        if (!status(state).equals("running")) {
            throw new OciException("container " + id + " is not running");
        }
        if (!group(state).freeze(true)) {
            throw new OciException("cannot freeze container " + id + ": no freezer for its cgroup");
        }
    }

    public void resume(String id) {
        OciState state = load(id);
        if (!status(state).equals("paused")) {
            throw new OciException("container " + id + " is not paused");
        }
        if (!group(state).freeze(false)) {
            throw new OciException("cannot thaw container " + id);
        }
    }

    /** New limits for a live container (OCI linux.resources). */
    public void update(String id, ResourcesSpec resources) {
        OciState state = load(id);
        if (status(state).equals("stopped")) {
            throw new OciException("container " + id + " is stopped");
        }
        group(state).apply(Resources.of(resources));
    }

    /** The pids of the container's processes. */
    public List<Integer> processes(String id) {
        OciState state = load(id);
        return status(state).equals("stopped") ? List.of() : group(state).processes();
    }

    /** Every container under the root, with its status. */
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> views = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return views;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                OciState state = loadOrNull(dir.getFileName().toString());
                if (state != null) {
                    views.add(state.view(status(state)));
                }
            }
        } catch (IOException e) {
            throw new OciException("cannot list " + root + ": " + e.getMessage());
        }
        views.sort(Comparator.comparing(v -> (String) v.get("created")));
        return views;
    }

    /**
     * The status, read off the kernel: stopped once the process is gone (or a zombie, or another process
     * holds its pid), created while it waits at its start FIFO, paused while its group is frozen.
     */
    String status(OciState state) {
        if (!alive(state)) {
            return "stopped";
        }
        if (ContainerStarter.isWaiting(state.pid())) {
            return "created";
        }
        return group(state).frozen() ? "paused" : "running";
    }

    private static boolean alive(OciState state) {
        try {
            String stat = dev.berth.linux.Procfs.read("/proc/" + state.pid() + "/stat");
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return !fields[0].equals("Z") && !fields[0].equals("X") && Long.parseLong(fields[19]) == state.pidStartTime();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Waits (at most 10 s) until the container's first process is gone or a zombie its parent may reap. */
    private static void awaitStopped(OciState state) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (alive(state) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** A startContainer hook: run inside the container's namespaces, as root with every capability berth-oci holds. */
    private static void runInContainer(OciState state, Hooks.Hook hook, String stateJson) {
        ProcessSpec process = new ProcessSpec(false, new ProcessSpec.User(0, 0, List.of()), hook.args().isEmpty()
                ? List.of(hook.path()) : hook.args(), hook.env(), "/", CapabilityNames.held(), false, null);
        int[] pipe = Libc.pipe();
        ContainerProcess p;
        try {
            byte[] bytes = stateJson.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                var buffer = arena.allocate(Math.max(1, bytes.length));
                java.lang.foreign.MemorySegment.copy(bytes, 0, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
                Libc.writeFully(pipe[1], buffer, bytes.length); // state JSON fits a pipe's buffer
            }
            Libc.close(pipe[1]);
            pipe[1] = -1;
            p = Exec.exec(state.pid(), withExecutable(process, hook.path()), null, Confinement.NONE,
                    new ContainerStarter.Stdio(ContainerStarter.Stdin.INHERIT, pipe[0], -1, -1));
        } catch (BerthException e) {
            throw new OciException("startContainer hook " + hook.path() + " could not start: " + e.getMessage());
        } finally {
            Libc.closeQuietly(pipe[0]);
            if (pipe[1] >= 0) {
                Libc.closeQuietly(pipe[1]);
            }
        }
        try (p) {
            int code = p.waitFor();
            if (code != 0) {
                throw new OciException("startContainer hook " + hook.path() + " failed with exit status " + code);
            }
        }
    }

    /** The hook's argv with its path first, so the executable run is the path (argv[0] otherwise as given). */
    private static ProcessSpec withExecutable(ProcessSpec process, String path) {
        List<String> args = new ArrayList<>(process.args());
        args.set(0, path);
        return new ProcessSpec(false, process.user(), args, process.env(), process.cwd(), process.capabilities(),
                false, null);
    }

    // --- the container's group

    private static String cgroupsPath(String id, String configured) {
        if (configured == null || configured.isBlank()) {
            return "/" + DEFAULT_CGROUP_PARENT + "/" + id;
        }
        if (configured.contains(":")) {
            throw new OciException("cgroupsPath '" + configured
                    + "' is in systemd's slice:prefix:name form; berth-oci drives cgroupfs (use the engine's cgroupfs manager)");
        }
        String path = configured.startsWith("/") ? configured : "/" + configured;
        if (path.contains("/../") || path.endsWith("/..") || path.equals("/")) {
            throw new OciException("invalid cgroupsPath '" + configured + "'");
        }
        return path;
    }

    private static Cgroups layout(String cgroupsPath) {
        Path path = Path.of(cgroupsPath);
        String parent = path.getParent() == null || path.getParent().toString().equals("/") ? ""
                : path.getParent().toString().substring(1);
        return Cgroups.detectWithFreezer(parent);
    }

    private static Cgroup createGroup(String cgroupsPath, ContainerSpec spec) {
        Cgroup group = layout(cgroupsPath).create(Path.of(cgroupsPath).getFileName().toString(),
                Resources.of(spec.linux().resources()));
        try {
            group.restrictDevices(spec.linux().deviceAllow().stream().map(DeviceRule::parse).toList());
        } catch (RuntimeException e) {
            group.destroy();
            throw e;
        }
        return group;
    }

    private static Cgroup group(OciState state) {
        return layout(state.cgroupsPath()).open(Path.of(state.cgroupsPath()).getFileName().toString());
    }

    private static void removeDefaultParent(String cgroupsPath) {
        if (cgroupsPath.startsWith("/" + DEFAULT_CGROUP_PARENT + "/")) {
            layout(cgroupsPath).removeParentIfEmpty();
        }
    }


    /** The spawner thread joins the group first (v1), so the first process never runs outside it. */
    private static Confinement confinementOf(Cgroup group) {
        return Confinement.of(group::enterCallingThread, group::addProcess);
    }

    // --- the state root

    private Path containerDir(String id) {
        return root.resolve(id);
    }

    private static void checkId(String id) {
        if (!ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new OciException("invalid container id '" + id + "'");
        }
    }

    private OciState load(String id) {
        checkId(id);
        OciState state = loadOrNull(id);
        if (state == null) {
            throw new OciException("container " + id + " does not exist");
        }
        return state;
    }

    private OciState loadOrNull(String id) {
        Path file = containerDir(id).resolve("state.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return OciState.fromRecord(Json.parseObject(Files.readString(file)));
        } catch (IOException | RuntimeException e) {
            throw new OciException("the state of container " + id + " is unreadable (" + file + "): " + e.getMessage());
        }
    }

    private BundleConfig storedConfig(OciState state) {
        BundleConfig config = storedConfigOrNull(state);
        if (config == null) {
            throw new OciException("the configuration of container " + state.id() + " is gone");
        }
        return config;
    }

    private BundleConfig storedConfigOrNull(OciState state) {
        Path stored = containerDir(state.id()).resolve("config.json");
        try {
            return BundleConfig.convert(Path.of(state.bundle()), Json.parseObject(Files.readString(stored)), false);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static void writeAtomically(Path file, String content) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void killQuietly(int pid, int signal) {
        try {
            Libc.kill(pid, signal);
        } catch (RuntimeException gone) {
            // it ended meanwhile
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new OciException("cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
