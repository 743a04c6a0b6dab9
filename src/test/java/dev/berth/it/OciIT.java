package dev.berth.it;

import dev.berth.json.Json;
import dev.berth.testing.BerthCli;
import dev.berth.testing.BerthCli.Result;
import dev.berth.testing.Privileged;
import dev.berth.testing.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code berth-oci}, the OCI runtime command line: driven by hand as an engine would (create, start,
 * state, kill, delete, exec, pause, update, hooks, errors), then by real engines as clients: podman
 * (through conmon) and containerd (through its runc v2 shim, started here with a config of its own).
 */
class OciIT {
    /** The launcher engines call, with runc's command line. */
    static final Path BERTH_OCI = Path.of("berth-oci").toAbsolutePath();
    /** Every container's group goes under the test run's parent, which the leak check watches. */
    static final String CGROUPS = "/" + BerthCli.CGROUP_PARENT;

    @TempDir
    static Path dir;
    static Path rootfs;
    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void busyboxRootfs() throws Exception {
        Privileged.require();
        // searchable by anyone, as bundles are where engines keep them: a user namespace's root is a host user
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "echo", "cat", "sleep", "ls", "id", "hostname", "ps", "mount", "mknod",
                "touch", "true", "false", "tty", "grep", "unshare", "stat")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        for (String d : List.of("proc", "dev", "sys", "tmp", "etc")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.setPosixFilePermissions(rootfs.resolve("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterEach
    void deleteContainers() throws IOException {
        for (String id : created) {
            oci("delete", "--force", id);
        }
        reapOrphans();
    }

    @AfterAll
    static void removeTheParentGroups() {
        Wait.until("the engines' parent groups to empty", Duration.ofSeconds(20),
                () -> removeParentGroups(BerthCli.CGROUP_PARENT));
    }

    /**
     * This JVM is the tests' subreaper (as an engine's shim is a container's): the processes of containers
     * whose berth-oci has exited are re-parented here, and a container's PID 1 cannot finish exiting while
     * another process of its namespace is an unreaped zombie. Reaps the zombies among this JVM's children
     * (every process the tests start themselves has been waited for by then).
     */
    static void reapOrphans() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                for (String child : dev.berth.linux.Procfs.read(task.resolve("children").toString()).trim().split("\\s+")) {
                    if (!child.isEmpty() && isZombie(Integer.parseInt(child))) {
                        try {
                            int pidfd = dev.berth.linux.Libc.pidfdOpen(Integer.parseInt(child));
                            dev.berth.linux.Libc.waitPidfd(pidfd, dev.berth.linux.Libc.WNOHANG);
                            dev.berth.linux.Libc.closeQuietly(pidfd);
                        } catch (RuntimeException reapedMeanwhile) {
                            // gone already
                        }
                    }
                }
            }
        }
    }

    private static boolean isZombie(int pid) {
        try {
            String stat = dev.berth.linux.Procfs.read("/proc/" + pid + "/stat");
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    // --- berth-oci by hand

    @Test
    void createLeavesTheCommandWaitingAndStartRunsItAsPid1OfItsOwnNamespaces() throws Exception {
        Path bundle = bundle("c1", List.of("sh", "-c", "echo $$ > /ran; hostname >> /ran; exec sleep 30"), config -> {});
        Path pidFile = bundle.resolve("pid");
        ok(oci("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "c1"));
        created.add("c1");

        int pid = Integer.parseInt(Files.readString(pidFile).strip());
        assertThat(state("c1")).containsEntry("status", "created").containsEntry("pid", pid)
                .containsEntry("bundle", bundle.toString()).containsEntry("id", "c1");
        assertThat(bundle.resolve("rootfs/ran")).as("the command has not run before start").doesNotExist();
        assertThat(Files.readString(Path.of("/proc/" + pid + "/status"))).as("no berth process is its parent")
                .containsPattern("PPid:\\s+" + ProcessHandle.current().pid() + "\n");
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")))
                .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")));
        Path memoryGroup = Path.of("/sys/fs/cgroup/memory" + CGROUPS + "/c1");
        assertThat(Files.readString(memoryGroup.resolve("cgroup.procs")).strip()).isEqualTo(String.valueOf(pid));
        assertThat(Files.readString(memoryGroup.resolve("memory.limit_in_bytes")).strip()).isEqualTo("67108864");

        ok(oci("start", "c1"));
        Wait.until("the command to run", Duration.ofSeconds(10), () -> Files.exists(bundle.resolve("rootfs/ran")));
        Wait.until("the command to be sleep", Duration.ofSeconds(10), () -> cmdline(pid).startsWith("sleep"));
        assertThat(Files.readString(bundle.resolve("rootfs/ran"))).isEqualTo("1\noci-test\n");
        assertThat(state("c1")).containsEntry("status", "running");
        assertThat(oci("list").out()).containsPattern("c1\\s+" + pid + "\\s+running");
        assertThat(Json.parseAny(ok(oci("ps", "--format", "json", "c1")).out())).isEqualTo(List.of(pid));
        Result again = oci("start", "c1");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("berth-oci: cannot start a container that is running (only a created one)\n");

        ok(oci("kill", "c1", "KILL"));
        Wait.until("the container to stop", Duration.ofSeconds(10), () -> "stopped".equals(state("c1").get("status")));
        assertThat(state("c1")).containsEntry("pid", 0);
        assertThat(oci("kill", "c1", "TERM").err()).contains("container not running");
        ok(oci("delete", "c1"));
        assertThat(memoryGroup).doesNotExist();
        Result gone = oci("state", "c1");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).isEqualTo("berth-oci: container c1 does not exist\n");
        assertThat(ok(oci("delete", "--force", "c1")).err()).isEmpty();
    }

    /** The comm of pid's parent ("" when either is gone). */
    static String parentName(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String parent = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1];
            return Files.readString(Path.of("/proc/" + parent + "/comm")).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void aUserNamespaceMapsTheContainersRootToAnUnprivilegedHostUser() throws Exception {
        String script = "{ id; cat /proc/self/uid_map; echo $$; cat /dev/null && echo null-usable;"
                + " mknod /tmp/mem c 1 1 && cat /tmp/mem || echo host-memory-refused; } > /tmp/out 2>&1; exec sleep 30";
        Path bundle = bundle("u1", List.of("sh", "-c", script), config -> {
            linux(config).put("namespaces", List.of(Map.of("type", "mount"), Map.of("type", "pid"), Map.of("type", "ipc"),
                    Map.of("type", "uts"), Map.of("type", "network"), Map.of("type", "user")));
            linux(config).put("uidMappings", List.of(Map.of("containerID", 0, "hostID", 100000, "size", 65536)));
            linux(config).put("gidMappings", List.of(Map.of("containerID", 0, "hostID", 100000, "size", 65536)));
        });
        ok(oci("create", "--bundle", bundle.toString(), "u1"));
        created.add("u1");
        int pid = (Integer) state("u1").get("pid");
        assertThat(Files.readString(Path.of("/proc/" + pid + "/uid_map")).strip().split("\\s+"))
                .containsExactly("0", "100000", "65536");
        assertThat(Files.readString(Path.of("/proc/" + pid + "/status"))).as("as the host sees it")
                .containsPattern("Uid:\\s+100000\\s");
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/user")))
                .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/user")));

        assertThat(parentName(pid)).as("created: the process of the user namespace's setup waits for it").isEqualTo("berth-spawner");

        ok(oci("start", "u1"));
        Wait.until("the command to become sleep", Duration.ofSeconds(10), () -> cmdline(pid).startsWith("sleep"));
        Wait.until("no setup process left over it (it would run on the memory of create's exited JVM)",
                Duration.ofSeconds(10), () -> !parentName(pid).equals("berth-spawner"));
        assertThat(Files.readString(bundle.resolve("rootfs/tmp/out")).lines())
                .as("root inside, pid 1, the host's /dev/null, no device of its own")
                .containsExactly("uid=0 gid=0", "         0     100000      65536", "1", "null-usable",
                        "mknod: /tmp/mem: Operation not permitted", "host-memory-refused");
        Result exec = oci("exec", "u1", "--", "sh", "-c", "id; cat /proc/self/uid_map; exit 3");
        assertThat(exec.exitCode()).as(exec.err()).isEqualTo(3);
        assertThat(exec.out().lines()).containsExactly("uid=0 gid=0", "         0     100000      65536");
        ok(oci("delete", "--force", "u1"));
        created.remove("u1");
    }

    @Test
    void execRunsInTheContainersNamespacesWithItsExitStatusOrDetached() throws Exception {
        Path bundle = bundle("e1", List.of("sleep", "60"), config -> {});
        ok(oci("create", "--bundle", bundle.toString(), "e1"));
        created.add("e1");
        ok(oci("start", "e1"));

        Result fromFlags = oci("exec", "e1", "--", "sh", "-c", "hostname; echo $$; exit 7");
        assertThat(fromFlags.exitCode()).isEqualTo(7);
        assertThat(fromFlags.out()).matches("oci-test\n\\d+\n").doesNotContain("\n1\n");

        Map<String, Object> process = new LinkedHashMap<>();
        process.put("args", List.of("sh", "-c", "echo from the process file > /tmp/exec-ran; sleep 30"));
        process.put("cwd", "/tmp");
        process.put("env", List.of("PATH=/bin"));
        process.put("user", Map.of("uid", 1000, "gid", 1000));
        List<String> bind = List.of("CAP_NET_BIND_SERVICE");
        process.put("capabilities", Map.of("bounding", bind, "effective", bind, "permitted", bind, "inheritable", bind,
                "ambient", bind)); // a non-root user keeps an ambient capability across its exec
        Path processFile = dir.resolve("process.json");
        Files.writeString(processFile, Json.render(process));
        Path pidFile = dir.resolve("exec.pid");
        ok(oci("exec", "--process", processFile.toString(), "--detach", "--pid-file", pidFile.toString(), "e1"));
        int pid = Integer.parseInt(Files.readString(pidFile).strip());
        Wait.until("the detached process to run", Duration.ofSeconds(10), () -> Files.exists(bundle.resolve("rootfs/tmp/exec-ran")));
        assertThat(Files.readString(Path.of("/proc/" + pid + "/status"))).containsPattern("Uid:\\s+1000\\s")
                .contains("CapEff:\t0000000000000400\n", "CapAmb:\t0000000000000400\n", "CapBnd:\t0000000000000400\n");
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"))).isEqualTo(Path.of("/tmp"));
        @SuppressWarnings("unchecked")
        List<Integer> pids = (List<Integer>) Json.parseAny(ok(oci("ps", "--format", "json", "e1")).out());
        assertThat(pids).contains(pid).hasSize(2);
    }

    @Test
    void pauseFreezesEveryProcessAndResumeThawsThem() throws Exception {
        Path bundle = bundle("p1", List.of("sleep", "60"), config -> {});
        ok(oci("create", "--bundle", bundle.toString(), "p1"));
        created.add("p1");
        ok(oci("start", "p1"));
        ok(oci("pause", "p1"));
        assertThat(state("p1")).containsEntry("status", "paused");
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/freezer" + CGROUPS + "/p1/freezer.state")).strip()).isEqualTo("FROZEN");
        assertThat(oci("delete", "p1").err()).contains("that is paused, use --force");
        ok(oci("resume", "p1"));
        assertThat(state("p1")).containsEntry("status", "running");

        ok(oci("update", "--memory", "33554432", "--pids-limit", "20", "p1"));
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory" + CGROUPS + "/p1/memory.limit_in_bytes")).strip())
                .isEqualTo("33554432");
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids" + CGROUPS + "/p1/pids.max")).strip()).isEqualTo("20");
        ok(oci("pause", "p1"));
        ok(oci("delete", "--force", "p1"));
        assertThat(Path.of("/sys/fs/cgroup/freezer" + CGROUPS + "/p1")).doesNotExist();
        created.remove("p1");
    }

    @Test
    void mountsAreListedInTheConfigsOrderKeepTheirPropagationAndTheRootCanBeMadeUnbindable() throws Exception {
        String script = "grep -oE ' (/proc|/dev|/srv/shared|/srv/bound) [^ ]+ [^-]*' /proc/self/mountinfo;"
                + " mkdir /mnt/copy; mount --bind / /mnt/copy && echo bound || echo refused;"
                + " cat /sys/fs/cgroup/memory/memory.swappiness /sys/fs/cgroup/memory/memory.oom_control";
        Path bundle = bundle("m1", List.of("sh", "-c", script), config -> {
            @SuppressWarnings("unchecked")
            List<Object> mounts = new ArrayList<>((List<Object>) config.get("mounts"));
            mounts.add(Map.of("destination", "/srv/shared", "type", "tmpfs", "source", "tmpfs", "options", List.of("shared")));
            mounts.add(Map.of("destination", "/srv/bound", "source", "/etc", "options", List.of("rbind", "rslave")));
            config.put("mounts", mounts);
            linux(config).put("rootfsPropagation", "unbindable");
            linux(config).put("resources", Map.of("memory", Map.of("swappiness", 7, "disableOOMKiller", true)));
            List<String> admin = List.of("CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_SETUID", "CAP_SETGID");
            @SuppressWarnings("unchecked")
            Map<String, Object> process = (Map<String, Object>) config.get("process");
            process.put("capabilities", Map.of("bounding", admin, "effective", admin, "permitted", admin));
        });
        Result run = oci("run", "--bundle", bundle.toString(), "m1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.stream().filter(l -> l.startsWith(" /")).map(l -> l.split(" ")[1]))
                .as("as listed in config.json, /proc first though it is mounted last").containsExactly("/proc", "/dev", "/srv/shared", "/srv/bound");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(" /srv/shared ").contains("shared:"))
                .contains("refused", "7", "oom_kill_disable 1");
    }

    @Test
    void hooksRunAtTheirPointsWithTheStateOnTheirStdin() throws Exception {
        Path log = dir.resolve("hooks.log");
        Files.deleteIfExists(log);
        Map<String, Object> hooks = new LinkedHashMap<>();
        for (String phase : List.of("prestart", "createRuntime", "createContainer", "poststart", "poststop")) {
            hooks.put(phase, List.of(Map.of("path", "/bin/sh", "args",
                    List.of("sh", "-c", "echo " + phase + " $(cat) >> " + log), "timeout", 10)));
        }
        hooks.put("startContainer", List.of(Map.of("path", "/bin/sh", "args",
                List.of("sh", "-c", "cat > /started-in-container"))));
        Path bundle = bundle("h1", List.of("sleep", "60"), config -> config.put("hooks", hooks));
        ok(oci("create", "--bundle", bundle.toString(), "h1"));
        created.add("h1");
        assertThat(Files.readAllLines(log)).extracting(l -> l.split(" ")[0])
                .containsExactly("prestart", "createRuntime", "createContainer");
        assertThat(Files.readString(log)).contains("\"id\":\"h1\"", "\"status\":\"created\"");
        ok(oci("start", "h1"));
        assertThat(Files.readString(bundle.resolve("rootfs/started-in-container"))).contains("\"id\":\"h1\"");
        assertThat(Files.readAllLines(log).getLast()).startsWith("poststart ").contains("\"status\":\"running\"");
        ok(oci("delete", "--force", "h1"));
        created.remove("h1");
        assertThat(Files.readAllLines(log).getLast()).startsWith("poststop ").contains("\"status\":\"stopped\"");
    }

    @Test
    void badInputIsOneLineOnStderrAJsonLineInTheLogAndLeavesNothing() throws Exception {
        Path log = dir.resolve("errors.json");
        Files.deleteIfExists(log);
        Path bundle = bundle("bad", List.of("true"), config -> config.put("linux", Map.of(
                "namespaces", List.of(Map.of("type", "mount"), Map.of("type", "user")),
                "cgroupsPath", CGROUPS + "/bad")));
        Result refused = oci("--log", log.toString(), "--log-format", "json", "create", "--bundle", bundle.toString(), "bad");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("berth-oci: a user namespace needs linux.uidMappings and linux.gidMappings\n");
        Map<String, Object> entry = Json.parseObject(Files.readAllLines(log).getFirst());
        assertThat(entry).containsEntry("level", "error").containsEntry("msg", "a user namespace needs linux.uidMappings and linux.gidMappings");
        assertThat(dir.resolve("oci-state/bad")).doesNotExist();

        Path missing = bundle("nocmd", List.of("/no/such/command"), config -> {});
        Result notFound = oci("create", "--bundle", missing.toString(), "nocmd");
        assertThat(notFound.exitCode()).isEqualTo(1);
        assertThat(notFound.err()).isEqualTo("berth-oci: exec: \"/no/such/command\": no such file or directory\n");
        assertThat(dir.resolve("oci-state/nocmd")).doesNotExist();
        assertThat(Path.of("/sys/fs/cgroup/memory" + CGROUPS + "/nocmd")).doesNotExist();

        assertThat(oci("create", "--bundle", bundle.toString(), "../escape").err())
                .isEqualTo("berth-oci: invalid container id '../escape'\n");
        assertThat(oci("--systemd-cgroup", "state", "x").err()).contains("--systemd-cgroup is not supported");
        assertThat(oci("start", "nothere").err()).isEqualTo("berth-oci: container nothere does not exist\n");
        assertThat(oci("delete", "nothere").exitCode()).isEqualTo(1);
        assertThat(oci("delete", "--force", "nothere").exitCode()).isZero();

        Path ok = bundle("twice", List.of("sleep", "30"), config -> {});
        ok(oci("create", "--bundle", ok.toString(), "twice"));
        created.add("twice");
        assertThat(oci("create", "--bundle", ok.toString(), "twice").err()).isEqualTo("berth-oci: container twice already exists\n");
    }

    @Test
    void specWritesARunnableDefaultAndFeaturesDescribesTheRuntime() throws Exception {
        Path bundle = dir.resolve("spec-bundle");
        Files.createDirectories(bundle);
        Files.createSymbolicLink(bundle.resolve("rootfs"), rootfs);
        ProcessBuilder spec = new ProcessBuilder(BERTH_OCI.toString(), "spec").directory(bundle.toFile());
        ok(BerthCli.exec(spec, null));
        Map<String, Object> config = Json.parseObject(Files.readString(bundle.resolve("config.json")));
        assertThat(config).containsKeys("ociVersion", "process", "root", "mounts", "linux");
        assertThat(oci("spec", "--bundle", bundle.toString()).err()).contains("exists");

        Map<String, Object> features = Json.parseObject(ok(oci("features")).out());
        assertThat(features).containsEntry("ociVersionMax", "1.2.0").containsKey("hooks");
    }

    @Test
    void fromInsideAConfinedContainerTheAttackerCannotMountMknodOrWriteProcSys() throws Exception {
        String attack = String.join("; ",
                "mount -t tmpfs none /tmp 2>/dev/null && echo MOUNTED",
                "mknod /tmp/sda b 8 0 2>/dev/null && cat /tmp/sda >/dev/null 2>&1 && echo READ-HOST-DISK",
                "echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo WROTE-PROC-SYS",
                "unshare -U true 2>/dev/null && echo UNSHARED",
                "echo done");
        Path bundle = bundle("a1", List.of("sh", "-c", attack), config -> linux(config).put("seccomp", Map.of(
                "defaultAction", "SCMP_ACT_ALLOW", "architectures", List.of("SCMP_ARCH_X86_64"),
                "syscalls", List.of(Map.of("names", List.of("unshare"), "action", "SCMP_ACT_ERRNO", "errnoRet", 1)))));
        Result run = oci("run", "--bundle", bundle.toString(), "a1");
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).isEqualTo("done\n");
    }

    // --- real engines as clients

    @Test
    void podmanRunsExecsAndRemovesContainersWithBerthOci() throws Exception {
        Privileged.requireTool("podman", "podman");
        Path home = dir.resolve("podman");
        Result run = podman(home, "run", "--rm", "--network", "none", "--rootfs", rootfs.toString(),
                "sh", "-c", "echo hello from podman; echo $$");
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).isEqualTo("hello from podman\n1\n");

        ok(podman(home, "run", "-d", "--name", "pd", "--network", "none", "--rootfs", rootfs.toString(), "sleep", "60"));
        Result exec = podman(home, "exec", "pd", "sh", "-c", "echo in $(hostname); exit 3");
        assertThat(exec.exitCode()).as(exec.describe()).isEqualTo(3);
        assertThat(exec.out()).startsWith("in ");
        assertThat(ok(podman(home, "ps", "--format", "{{.Names}} {{.Status}}")).out()).startsWith("pd Up");
        ok(podman(home, "rm", "-f", "-t", "0", "pd"));
        assertThat(ok(podman(home, "ps", "-a", "-q")).out()).isEmpty();

        Path mapped = dir.resolve("rootfs-of-100000"); // a root the mapped root owns, as podman prepares images
        copyTree(rootfs, mapped);
        try (Stream<Path> paths = Files.walk(mapped)) {
            for (Path p : paths.toList()) {
                Files.setAttribute(p, "unix:uid", 100000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", 100000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
        Result userns = podman(home, "run", "--rm", "--network", "none", "--uidmap", "0:100000:65536",
                "--gidmap", "0:100000:65536", "--rootfs", mapped.toString(), "sh", "-c", "id; cat /proc/self/uid_map");
        assertThat(userns.exitCode()).as(userns.err()).isZero();
        assertThat(userns.out()).as("podman's bind sources under its 0700 directories, opened by host root")
                .isEqualTo("uid=0 gid=0\n         0     100000      65536\n");
    }

    @Test
    void containerdRunsKillsExecsAndDeletesThroughItsRuncShim() throws Exception {
        Privileged.requireTool("containerd", "containerd");
        Path home = dir.resolve("containerd");
        Files.createDirectories(home);
        Files.writeString(home.resolve("config.toml"), String.join("\n",
                "version = 2",
                "root = \"" + home.resolve("root") + "\"",
                "state = \"" + home.resolve("state") + "\"",
                "disabled_plugins = [\"io.containerd.grpc.v1.cri\", \"io.containerd.snapshotter.v1.btrfs\","
                        + " \"io.containerd.snapshotter.v1.zfs\", \"io.containerd.snapshotter.v1.devmapper\","
                        + " \"io.containerd.snapshotter.v1.aufs\"]",
                "[grpc]", "  address = \"" + home.resolve("containerd.sock") + "\"",
                "[ttrpc]", "  address = \"" + home.resolve("containerd.sock.ttrpc") + "\"",
                "[debug]", "  address = \"" + home.resolve("debug.sock") + "\"", ""));
        Process containerd = new ProcessBuilder("containerd", "--config", home.resolve("config.toml").toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("containerd.log").toFile()).start();
        try {
            Wait.until("containerd's socket", Duration.ofSeconds(20), () -> Files.exists(home.resolve("containerd.sock")));
            Result run = ctr(home, "run", "--rm", "--runc-binary", BERTH_OCI.toString(), "--rootfs", rootfs.toString(),
                    "r1", "sh", "-c", "echo hello from containerd; echo $$");
            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.out()).isEqualTo("hello from containerd\n1\n");

            // a terminal: ctr on script's pty, the container's pty master handed to the shim's console socket
            String ctrOnATerminal = String.join(" ", ctrCommand(home)) + " run --rm -t --runc-binary " + BERTH_OCI
                    + " --rootfs " + rootfs + " t1 sh -c 'tty; echo on a terminal'";
            Result tty = BerthCli.exec(new ProcessBuilder("script", "-qec", ctrOnATerminal, "/dev/null"), null);
            assertThat(tty.exitCode()).as(tty.describe()).isZero();
            assertThat(tty.out()).containsPattern("/dev/pts/0\r*\non a terminal");

            ok(ctr(home, "run", "-d", "--runc-binary", BERTH_OCI.toString(), "--rootfs", rootfs.toString(), "d1", "sleep", "60"));
            assertThat(ok(ctr(home, "task", "ls")).out()).containsPattern("d1\\s+\\d+\\s+RUNNING");
            Result exec = ctr(home, "task", "exec", "--exec-id", "x1", "d1", "sh", "-c", "echo exec; exit 4");
            assertThat(exec.exitCode()).as(exec.describe()).isEqualTo(4);
            assertThat(exec.out()).isEqualTo("exec\n");
            assertThat(ok(ctr(home, "task", "ps", "d1")).out()).hasLineCount(2);
            ok(ctr(home, "task", "kill", "-s", "KILL", "d1"));
            Wait.until("the task to stop", Duration.ofSeconds(20),
                    () -> ctr(home, "task", "ls").out().matches("(?s).*d1\\s+\\d+\\s+STOPPED.*"));
            ok(ctr(home, "task", "delete", "d1"));
            ok(ctr(home, "container", "delete", "d1"));
            assertThat(ok(ctr(home, "container", "ls", "-q")).out()).isEmpty();
        } finally {
            containerd.destroy();
            if (!containerd.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                containerd.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    // --- helpers

    /** A bundle: the busybox root, berth-oci's default config with the command, cgroup path and changes given. */
    static Path bundle(String id, List<String> args, java.util.function.Consumer<Map<String, Object>> change) throws IOException {
        Path bundle = dir.resolve("bundle-" + id);
        if (Files.exists(bundle)) {
            try (Stream<Path> paths = Files.walk(bundle)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(bundle);
        copyTree(rootfs, bundle.resolve("rootfs"));
        Map<String, Object> config = Json.parseObject(new String(OciIT.class.getResourceAsStream(
                "/dev/berth/oci/default-config.json").readAllBytes()));
        @SuppressWarnings("unchecked")
        Map<String, Object> process = (Map<String, Object>) config.get("process");
        process.put("terminal", false);
        process.put("args", args);
        config.put("root", Map.of("path", "rootfs", "readonly", false));
        config.put("hostname", "oci-test");
        @SuppressWarnings("unchecked")
        Map<String, Object> linux = (Map<String, Object>) config.get("linux");
        linux.put("cgroupsPath", CGROUPS + "/" + id);
        linux.put("resources", Map.of("memory", Map.of("limit", 67108864), "devices", List.of(Map.of("allow", false, "access", "rwm"))));
        change.accept(config);
        Files.writeString(bundle.resolve("config.json"), Json.render(config));
        return bundle;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> linux(Map<String, Object> config) {
        return (Map<String, Object>) config.get("linux");
    }

    static Result oci(String... args) {
        List<String> command = new ArrayList<>(List.of(BERTH_OCI.toString()));
        if (!List.of(args).contains("--root")) {
            command.addAll(List.of("--root", dir.resolve("oci-state").toString()));
        }
        command.addAll(List.of(args));
        return BerthCli.exec(new ProcessBuilder(command), null);
    }

    static Map<String, Object> state(String id) {
        return Json.parseObject(ok(oci("state", id)).out());
    }

    static Result podman(Path home, String... args) {
        List<String> command = new ArrayList<>(List.of("podman", "--root", home.resolve("root").toString(),
                "--runroot", home.resolve("runroot").toString(), "--tmpdir", home.resolve("tmp").toString(),
                "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                "--runtime", BERTH_OCI.toString()));
        command.addAll(List.of(args));
        if (args[0].equals("run")) {
            command.add(command.indexOf("run") + 1, "--cgroup-parent=" + CGROUPS);
        }
        return BerthCli.exec(new ProcessBuilder(command), null);
    }

    /** ctr in the containerd namespace named as the test run's cgroup parent, so its groups land there. */
    static Result ctr(Path home, String... args) {
        List<String> command = new ArrayList<>(ctrCommand(home));
        command.addAll(List.of(args));
        return BerthCli.exec(new ProcessBuilder(command), null);
    }

    static List<String> ctrCommand(Path home) {
        return List.of("ctr", "--address", home.resolve("containerd.sock").toString(), "-n", BerthCli.CGROUP_PARENT);
    }

    static Result ok(Result r) {
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r;
    }

    static String cmdline(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(p));
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /**
     * Removes the engines' parent groups (named by the test) and podman's conmon group in them once no
     * process is in them; true when that is done. A container's own group left inside one keeps it, for
     * the leak check to report.
     */
    static boolean removeParentGroups(String name) {
        boolean gone = true;
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(name);
                if (Files.isSymbolicLink(h) || !Files.isDirectory(parent)) {
                    continue;
                }
                try {
                    Files.deleteIfExists(parent.resolve("conmon")); // podman's, for its conmon processes
                    try (Stream<Path> children = Files.list(parent)) {
                        if (children.noneMatch(Files::isDirectory)) {
                            Files.deleteIfExists(parent);
                        }
                    }
                } catch (IOException busy) {
                    gone = false;
                }
            }
            reapOrphans();
        } catch (IOException e) {
            return false;
        }
        return gone;
    }
}
