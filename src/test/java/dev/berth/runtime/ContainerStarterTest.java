package dev.berth.runtime;

import dev.berth.BerthException;
import dev.berth.linux.Errno;
import dev.berth.linux.RecordingSyscalls;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.Defaults;
import dev.berth.spec.LinuxSpec;
import dev.berth.spec.NamespaceType;
import dev.berth.spec.ProcessSpec;
import dev.berth.spec.ResourcesSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The start sequence of a container, call by call, on recorded system calls: no root, no kernel. */
class ContainerStarterTest {
    @TempDir
    Path merged;

    private final RecordingSyscalls sys = new RecordingSyscalls();
    private final List<String> cgroup = Collections.synchronizedList(new ArrayList<>());

    private final Confinement confinement = new Confinement() {
        @Override
        public boolean enterCallingThread() {
            sys.log("cgroup enter thread");
            return true;
        }

        @Override
        public void addProcess(int pid) {
            sys.log("cgroup add " + pid);
        }
    };

    private ContainerSpec spec(ProcessSpec.User user, Integer oomScoreAdj, String networkNamespace, String... args) {
        List<LinuxSpec.Namespace> namespaces = new ArrayList<>();
        for (NamespaceType type : List.of(NamespaceType.PID, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.MOUNT,
                NamespaceType.CGROUP)) {
            namespaces.add(new LinuxSpec.Namespace(type, null));
        }
        namespaces.add(new LinuxSpec.Namespace(NamespaceType.NETWORK, networkNamespace));
        ProcessSpec process = new ProcessSpec(false, user, List.of(args), List.of("PATH=/bin"), "/", Defaults.CAPABILITIES,
                true, oomScoreAdj);
        return new ContainerSpec(ContainerSpec.OCI_VERSION, process, new ContainerSpec.Root(merged.toString(), false), "web",
                Defaults.MOUNTS, new LinuxSpec(namespaces, Defaults.MASKED_PATHS, Defaults.READONLY_PATHS, ResourcesSpec.NONE, null, null),
                Map.of());
    }

    private static final ProcessSpec.User ROOT = new ProcessSpec.User(0, 0, List.of());

    /** A filter libseccomp compiles (no kernel: the recording syscalls only note its installation). */
    private static final dev.berth.spec.SeccompSpec SMALL_FILTER = new dev.berth.spec.SeccompSpec("SCMP_ACT_ALLOW", null,
            List.of(), List.of(new dev.berth.spec.SeccompSpec.Syscall(List.of("keyctl"), "SCMP_ACT_ERRNO", null, List.of())));

    private ContainerProcess start(ContainerSpec spec) {
        Overlay overlay = new Overlay(List.of(Path.of("/images/busybox")), Path.of("/c/upper"), Path.of("/c/work"));
        return new ContainerStarter(sys).run(spec, overlay, ContainerStarter.Stdio.of(ContainerStarter.Stdin.NULL), confinement);
    }

    /**
     * The user's mounts come after the kernel filesystems, each onto a descriptor opened inside the root
     * (openat2 RESOLVE_IN_ROOT), never by path: a bind as a clone made read-only before it is attached
     * and given its propagation after; a missing target made step by step; a tmpfs through the descriptor.
     */
    @Test
    void userMountsGoOntoDescriptorsOpenedInsideTheRoot() {
        ContainerSpec plain = spec(ROOT, null, null, "sh");
        List<dev.berth.spec.MountSpec> mounts = new ArrayList<>(plain.mounts());
        mounts.add(new dev.berth.spec.MountSpec("/data", "bind", "/srv/data", List.of("rbind", "ro", "rslave")));
        mounts.add(new dev.berth.spec.MountSpec("/scratch", "tmpfs", "tmpfs", List.of("nosuid", "size=1m")));
        ContainerSpec spec = new ContainerSpec(plain.ociVersion(), plain.process(), plain.root(), plain.hostname(), mounts,
                plain.linux(), plain.annotations());
        sys.mkdir("/srv/data", 0755);
        sys.failing("openat2 " + merged + " /scratch", Errno.ENOENT); // the tmpfs's target is missing

        start(spec);

        int[] order = {
                sys.indexOf("mount null / 0x84000"),                  // MS_REC|MS_SLAVE: a mount asked for rslave
                sys.indexOf("mount sysfs " + merged + "/sys"),
                sys.indexOf("openat2 " + merged + " /data"),
                sys.indexOf("open_tree /srv/data recursive"),
                sys.indexOf("mount_setattr tree:/srv/data 0x1 0x0"),  // read-only before it is attached
                sys.indexOf("move_mount tree:/srv/data " + merged + "/data"),
                sys.indexOf("mount_setattr tree:/srv/data 0x0 0x80000"), // then MS_SLAVE
                sys.indexOf("mkdirat " + merged + "/ scratch"),
                sys.indexOf("mount tmpfs /proc/thread-self/fd/"),
                sys.indexOf("pivot_root"),
        };
        assertThat(order).isSorted();
        assertThat(sys.calls()).noneMatch(c -> c.startsWith("mount /srv/data"));
        assertThat(sys.openPaths()).noneMatch(p -> p.contains("/data") || p.contains("scratch"));
    }

    @Test
    void theSpawnerGoesNamespacesMountsPivotRootCapabilitiesNoNewPrivsThenSpawn() {
        ContainerProcess process = start(spec(ROOT, null, null, "sh", "-c", "true"));

        assertThat(process.pid()).isEqualTo(RecordingSyscalls.CHILD_PID);
        int[] order = {
                sys.indexOf("cgroup enter thread"),
                sys.indexOf("unshare CLONE_FS|CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNET"),
                sys.indexOf("lo up"),
                sys.indexOf("mount null / 0x44000"),                  // MS_REC|MS_PRIVATE before anything else
                sys.indexOf("mount overlay " + merged + " overlay"),
                sys.indexOf("mknod " + merged + "/dev/null 1:3"),
                sys.indexOf("sethostname web"),
                sys.indexOf("pivot_root . ."),
                sys.indexOf("umount2 ."),
                sys.indexOf("unshare CLONE_NEWCGROUP"),
                sys.indexOf("unshare CLONE_NEWPID"),
                sys.indexOf("prctl PR_CAPBSET_DROP"),
                sys.indexOf("setresuid 0 0"),
                sys.indexOf("capset"),
                sys.indexOf("prctl PR_SET_NO_NEW_PRIVS"),
                sys.indexOf("posix_spawn /bin/sh [sh, -c, true]")};
        for (int i = 1; i < order.length; i++) {
            assertThat(order[i]).as("step %d comes after step %d in %s", i, i - 1, sys.calls()).isGreaterThan(order[i - 1]);
        }
    }

    /**
     * The seccomp filter is the spawner's last step before the spawn, after no_new_privs: the sequence
     * itself need not be allowed by it. Without no_new_privs it comes before the ids change, while the
     * thread still has CAP_SYS_ADMIN (the kernel wants one or the other): see the next test.
     */
    @Test
    void theSeccompFilterIsTheLastStepBeforeTheSpawn() {
        ContainerSpec plain = spec(ROOT, null, null, "sh");
        dev.berth.spec.SeccompSpec seccomp = SMALL_FILTER;
        LinuxSpec l = plain.linux();
        ContainerSpec confined = new ContainerSpec(plain.ociVersion(), plain.process(), plain.root(), plain.hostname(),
                plain.mounts(), new LinuxSpec(l.namespaces(), l.maskedPaths(), l.readonlyPaths(), l.resources(),
                        l.cgroupsPath(), seccomp), plain.annotations());
        start(confined);
        assertThat(sys.indexOf("seccomp ")).isGreaterThan(sys.indexOf("prctl PR_SET_NO_NEW_PRIVS"))
                .isLessThan(sys.indexOf("posix_spawn /bin/sh"));
    }

    @Test
    void withoutNoNewPrivsTheSeccompFilterComesWhileTheThreadStillHoldsItsCapabilities() {
        ContainerSpec plain = spec(ROOT, null, null, "sh");
        LinuxSpec l = plain.linux();
        ContainerSpec confined = new ContainerSpec(plain.ociVersion(), plain.process(), plain.root(), plain.hostname(),
                plain.mounts(), new LinuxSpec(l.namespaces(), l.maskedPaths(), l.readonlyPaths(), l.resources(),
                        l.cgroupsPath(), SMALL_FILTER), plain.annotations());
        ProcessSpec p = plain.process();
        start(new ContainerSpec(confined.ociVersion(), new ProcessSpec(false, p.user(), p.args(), p.env(), p.cwd(),
                p.capabilities(), false, null), confined.root(), confined.hostname(), confined.mounts(), confined.linux(),
                confined.annotations()));
        assertThat(sys.indexOf("seccomp ")).isPositive().isLessThan(sys.indexOf("setresuid 0 0"));
        assertThat(sys.calls()).noneMatch(c -> c.startsWith("prctl PR_SET_NO_NEW_PRIVS"));
    }

    @Test
    void theHelperMountsProcAndLetsTheChildGoOnlyOnceItExists() {
        start(spec(ROOT, 250, null, "sh"));

        int spawned = sys.indexOf("posix_spawn /bin/sh");
        int[] order = {
                sys.indexOfMatch("open /proc/(\\d+)/task/\\1/ns/pid_for_children"), // the spawner's
                sys.indexOf("cgroup add " + RecordingSyscalls.CHILD_PID),
                sys.indexOf("write /proc/" + RecordingSyscalls.CHILD_PID + "/oom_score_adj 250"),
                sys.indexOf("fsopen proc"),
                sys.indexOf("fsconfig 5 pidns="),                     // FSCONFIG_SET_FD: the container's PID namespace
                sys.indexOf("move_mount /proc"),
                sys.indexOf("mount /dev/null /proc/kcore"),           // masks after /proc exists
                sys.indexOf("open /dev/.berth-start write"),          // the release
                sys.indexOf("posix_spawn returned")};
        for (int i = 1; i < order.length; i++) {
            assertThat(order[i]).as("step %d after step %d in %s", i, i - 1, sys.calls()).isGreaterThan(order[i - 1]);
        }
        assertThat(order[0]).isGreaterThan(sys.indexOf("prctl PR_SET_NO_NEW_PRIVS"));
        assertThat(spawned).isLessThan(order[order.length - 1]);
    }

    @Test
    void anUnprivilegedUserKeepsNoCapabilitiesAtAll() {
        start(spec(new ProcessSpec.User(65534, 65534, List.of(65534)), null, null, "sh"));
        assertThat(sys.calls()).contains("setresuid 65534 65534 [65534]", "capset 0x0 0x0");
    }

    @Test
    void onlyTheCapabilitiesOfTheSpecSurviveTheBoundingSet() {
        start(spec(ROOT, null, null, "sh"));
        long dropped = sys.calls().stream().filter(c -> c.startsWith("prctl PR_CAPBSET_DROP")).count();
        assertThat(dropped).isEqualTo(41 - Defaults.CAPABILITIES.size());
        assertThat(sys.calls()).contains("prctl PR_CAPBSET_DROP 21") // CAP_SYS_ADMIN
                .doesNotContain("prctl PR_CAPBSET_DROP 0");          // CAP_CHOWN stays
    }

    @Test
    void aNetworkNamespaceWithAPathIsJoinedNotCreated() {
        start(spec(ROOT, null, "/run/berth/netns/abc", "sh"));
        assertThat(sys.calls()).contains("unshare CLONE_FS|CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC",
                "setns /run/berth/netns/abc CLONE_NEWNET").doesNotContain("lo up");
    }

    @Test
    void aCommandMissingFromThePathIsExitCode127AndNothingIsSpawned() {
        assertThatThrownBy(() -> start(spec(ROOT, null, null, "nosuch")))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.exitCode()).isEqualTo(127))
                .hasMessage("exec: \"nosuch\": executable file not found in $PATH");
        assertThat(sys.made("posix_spawn")).isFalse();
        assertThat(sys.made("fsopen")).as("the helper gives up with the spawner").isFalse();
    }

    @Test
    void aFailedMountIsOneClearErrorAndNothingIsSpawned() {
        sys.failing("mount overlay", Errno.EPERM);
        assertThatThrownBy(() -> start(spec(ROOT, null, null, "sh")))
                .isInstanceOf(BerthException.class)
                .hasMessageStartingWith("cannot start container: mount ").hasMessageEndingWith(": EPERM");
        assertThat(sys.made("posix_spawn")).isFalse();
        assertThat(sys.openPaths()).as("descriptors left open").isEmpty();
    }

    @Test
    void aSpawnThatFailsWithEnoexecIsExitCode126() {
        sys.failing("posix_spawn", Errno.ENOEXEC);
        assertThatThrownBy(() -> start(spec(ROOT, null, null, "sh")))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.exitCode()).isEqualTo(126))
                .hasMessage("exec: \"sh\": exec format error");
    }

    @Test
    void execJoinsTheContainersNamespacesMountLastThenTakesItsIdentity() {
        ProcessSpec process = new ProcessSpec(false, ROOT, List.of("sh"), List.of("PATH=/bin"), "/srv", Defaults.CAPABILITIES,
                true, -500);
        ContainerProcess p = new Exec(sys).run(77, process, null, confinement, ContainerStarter.Stdio.of(ContainerStarter.Stdin.NULL));

        assertThat(p.pid()).isEqualTo(RecordingSyscalls.CHILD_PID);
        assertThat(sys.calls().stream().filter(c -> c.startsWith("setns")).toList()).containsExactly(
                "setns /proc/77/ns/cgroup CLONE_NEWCGROUP", "setns /proc/77/ns/ipc CLONE_NEWIPC",
                "setns /proc/77/ns/uts CLONE_NEWUTS", "setns /proc/77/ns/net CLONE_NEWNET",
                "setns /proc/77/ns/pid CLONE_NEWPID", "setns /proc/77/ns/mnt CLONE_NEWNS");
        assertThat(sys.indexOf("chdir /srv")).isGreaterThan(sys.indexOf("setns /proc/77/ns/mnt"));
        assertThat(sys.indexOf("prctl PR_SET_NO_NEW_PRIVS")).isLessThan(sys.indexOf("posix_spawn /bin/sh"));
        assertThat(sys.written()).containsEntry("/proc/4242/oom_score_adj", "-500");
        assertThat(sys.made("posix_spawn returned")).as("exec's child waits on no FIFO").isFalse();
    }
}
