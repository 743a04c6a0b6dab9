package dev.berth.it;

import dev.berth.testing.BerthCli;
import dev.berth.testing.BerthCli.Result;
import dev.berth.testing.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code berth run}: a command in its own PID, mount, UTS, IPC and network namespaces on an overlay root,
 * looked at from inside (busybox tools) and from the host (ip, mountinfo, the image directory).
 */
class RunIT {
    @TempDir
    static Path dir;
    static BerthCli berth;

    @BeforeAll
    static void busyboxImage() {
        berth = BerthCli.withBusybox(dir);
    }

    @AfterAll
    static void nothingLeftBehind() {
        if (berth == null) {
            return;
        }
        try {
            assertThat(berth.run("ps", "-a", "-q").out()).isEmpty();
        } finally {
            berth.removeEverything(); // and the default network the runs created
        }
        Path containers = berth.root().resolve("containers");
        if (Files.isDirectory(containers)) {
            try (Stream<Path> left = Files.list(containers)) {
                assertThat(left.toList()).as("container directories left").isEmpty();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    static Result ok(Result result) {
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    static String sh(String script, String... runOptions) {
        return ok(berth.run(concat(runOptions, "busybox", "sh", "-c", script))).out();
    }

    static String[] concat(String[] options, String... rest) {
        return Stream.concat(Stream.concat(Stream.of("run", "--rm"), Stream.of(options)), Stream.of(rest))
                .toArray(String[]::new);
    }

    @Test
    void printsTheCommandsOutputAndExitsZero() {
        Result result = ok(berth.run("run", "--rm", "busybox", "echo", "hello"));
        assertThat(result.out()).isEqualTo("hello\n");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void exitStatusIsTheContainers() {
        assertThat(berth.run("run", "--rm", "busybox", "sh", "-c", "exit 3").exitCode()).isEqualTo(3);
    }

    @Test
    void missingCommandIs127AndNotExecutableIs126WithOneLine() {
        Result missing = berth.run("run", "--rm", "busybox", "no-such-command");
        assertThat(missing.exitCode()).isEqualTo(127);
        assertThat(missing.err().lines()).containsExactly(
                "berth: exec: \"no-such-command\": executable file not found in $PATH");
        Result notExecutable = berth.run("run", "--rm", "busybox", "/etc/passwd");
        assertThat(notExecutable.exitCode()).isEqualTo(126);
        assertThat(notExecutable.err().lines()).containsExactly("berth: exec: \"/etc/passwd\": permission denied");
    }

    @Test
    void commandIsPid1AndSeesOnlyItsOwnProcesses() {
        String out = sh("echo $$; cat /proc/1/cmdline | tr '\\0' ' '; echo; ps -o pid,comm > /tmp/ps; cat /tmp/ps");
        List<String> lines = out.lines().toList();
        assertThat(lines.get(0)).isEqualTo("1");
        assertThat(lines.get(1)).startsWith("sh -c echo $$;");
        // the header, then sh itself and the ps it ran: nothing of the host
        assertThat(lines.subList(3, lines.size()).stream().map(l -> l.strip().replaceFirst("^\\d+ ", "")))
                .containsExactly("sh", "ps");
        assertThat(lines.get(3).strip()).isEqualTo("1 sh");
    }

    @Test
    void hostnameIsTheContainersNameOrTheOneGiven() {
        assertThat(sh("hostname; cat /etc/hostname", "--name", "alpha")).isEqualTo("alpha\nalpha\n");
        assertThat(sh("hostname", "--hostname", "beta.example")).isEqualTo("beta.example\n");
        assertThat(BerthCli.host("hostname").out()).isNotEqualTo("alpha\n");
    }

    @Test
    void ownNetworkNamespaceHasOnlyLoopbackUp() throws Exception {
        String links = sh("ip -o link | cut -d: -f2; ping -c1 -W1 127.0.0.1 >/dev/null && echo lo-works",
                "--network", "none");
        assertThat(links.lines().map(String::strip).toList()).containsExactly("lo", "lo-works");
        String inside = sh("readlink /proc/self/ns/net").strip();
        assertThat(inside).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
    }

    @Test
    void hostNetworkSharesTheSandboxesNamespace() throws Exception {
        String inside = sh("readlink /proc/self/ns/net", "--network", "host").strip();
        assertThat(inside).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
    }

    @Test
    void hostFilesAreInvisibleInside() throws Exception {
        Path marker = Files.writeString(dir.resolve("host-marker"), "host");
        String out = sh("ls " + marker + " 2>&1 || echo absent; ls /");
        assertThat(out).contains("absent");
        assertThat(out.lines().toList()).doesNotContain("work", "lib64");
    }

    @Test
    void writesGoToTheContainersLayerAndNeverToTheImage() throws Exception {
        Path image = berth.imageLayers("busybox").getFirst(); // the built-in image has one layer
        List<String> before = listing(image);
        ok(berth.run("run", "--name", "writer", "busybox", "sh", "-c",
                "echo changed > /etc/passwd; rm /bin/ls; mkdir /new && echo x > /new/file"));
        assertThat(listing(image)).isEqualTo(before);
        assertThat(Files.readString(image.resolve("etc/passwd"))).startsWith("root:x:0:0");
        String id = ok(berth.run("inspect", "writer")).out().replaceAll("(?s).*\"Id\" : \"([0-9a-f]{64})\".*", "$1");
        Path upper = berth.root().resolve("containers").resolve(id).resolve("upper");
        assertThat(Files.readString(upper.resolve("etc/passwd"))).isEqualTo("changed\n");
        assertThat(Files.readString(upper.resolve("new/file"))).isEqualTo("x\n");
        ok(berth.run("rm", "writer"));
        assertThat(upper.getParent()).doesNotExist();
        assertThat(ok(berth.run("run", "--rm", "busybox", "cat", "/etc/passwd")).out()).startsWith("root:x:0:0");
    }

    @Test
    void hostMountTableIsUnchangedByARun() throws Exception {
        String before = Files.readString(Path.of("/proc/self/mountinfo"));
        sh("mount | wc -l");
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).isEqualTo(before);
    }

    @Test
    void procIsTheContainersAndSensitivePathsAreMaskedOrReadOnly() {
        String out = sh("""
                ls /proc | grep -E '^[0-9]+$' | sort -n | head -1
                wc -c < /proc/keys
                echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo sys-writable || echo sys-readonly
                touch /sys/berth 2>/dev/null && echo sysfs-writable || echo sysfs-readonly
                ls /sys/firmware | wc -l
                """);
        assertThat(out.lines().toList()).containsExactly("1", "0", "sys-readonly", "sysfs-readonly", "0");
    }

    @Test
    void devHoldsOnlyTheMinimalNodes() {
        String out = sh("ls /dev | sort | tr '\\n' ' '; echo; echo data > /dev/null && head -c 4 /dev/zero | wc -c");
        assertThat(out.lines().toList()).containsExactly(
                "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ", "4");
    }

    @Test
    void capabilitiesAreDockersDefaultsAndNoNewPrivilegesIsSet() {
        String out = sh("grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status");
        assertThat(out.lines().toList()).containsExactly(
                "CapEff:\t00000000a80425fb", "CapBnd:\t00000000a80425fb", "NoNewPrivs:\t1");
    }

    @Test
    void capAddAndCapDropChangeWhatTheContainerMayDo() {
        String linkAdd = "ip link set lo mtu 65535 2>/dev/null && echo made || echo refused";
        assertThat(sh(linkAdd)).as("without NET_ADMIN").isEqualTo("refused\n");
        assertThat(sh(linkAdd, "--cap-add", "net_admin")).as("with --cap-add net_admin").isEqualTo("made\n");
        assertThat(sh("chown 1:1 /tmp && echo done || echo refused", "--cap-drop", "CHOWN")).isEqualTo("refused\n");
        assertThat(sh("grep CapEff /proc/self/status", "--cap-drop", "ALL", "--cap-add", "KILL")).isEqualTo("CapEff:\t0000000000000020\n");

        Result unknown = berth.run("run", "--rm", "--cap-add", "FLY", "busybox", "true");
        assertThat(unknown.exitCode()).isEqualTo(125);
        assertThat(unknown.err()).isEqualTo("berth: unknown capability: \"FLY\"\n");
    }

    @Test
    void privilegedHasEveryCapabilityAnUnmaskedProcAndAWritableSys() {
        String out = sh("grep CapEff /proc/self/status; grep -c -E ' /proc/(kcore|keys|sys) ' /proc/mounts; "
                + "grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1", "--privileged");
        assertThat(out.lines().toList()).containsExactly("CapEff:\t" + heldMask(), "0", "rw");
    }

    /** Calls Docker's profile refuses, each tried from perl (the host's, through chroot): EPERM or allowed. */
    private static final String SYSCALL_PROBE = """
            for $c (["keyctl", 250, 0, -3, 0], ["add_key", 248, 0, 0, 0, 0, 0], ["perf_event_open", 298, 0, 0, -1, -1, 0],
                    ["personality", 135, 0x0040000], ["vsock-socket", 41, 40, 1, 0]) {
                ($name, $number, @args) = @$c;
                $r = syscall($number, @args);
                print "$name ", ($r < 0 && $! == 1 ? "EPERM" : "allowed"), "\n";
            }""";

    private static final String ATTACKS = "grep Seccomp: /proc/self/status; "
            + "unshare -U true 2>/dev/null && echo unshare-allowed || echo unshare-refused; "
            + "chroot /host perl -e \"$PROBE\"";

    @Test
    void seccompRefusesWhatDockersDefaultProfileRefuses() {
        String[] host = {"-v", "/:/host:ro", "-e", "PROBE=" + SYSCALL_PROBE};
        assertThat(sh(ATTACKS, host).lines().toList()).containsExactly("Seccomp:\t2", "unshare-refused",
                "keyctl EPERM", "add_key EPERM", "perf_event_open EPERM", "personality EPERM", "vsock-socket EPERM");
        assertThat(sh(ATTACKS, concatOptions(host, "--security-opt", "seccomp=unconfined")).lines().toList())
                .as("the same probes with no filter: what refused them was the filter").containsExactly(
                        "Seccomp:\t0", "unshare-allowed", "keyctl allowed", "add_key allowed", "perf_event_open allowed",
                        "personality allowed", "vsock-socket allowed");
        assertThat(sh("grep Seccomp: /proc/self/status", "--privileged")).isEqualTo("Seccomp:\t0\n");
        // CAP_SYS_ADMIN opens Docker's mount group: the capability decides, as in Docker
        assertThat(sh("grep Seccomp: /proc/self/status; mount -t tmpfs t /tmp && echo mounted", "--cap-add", "SYS_ADMIN"))
                .isEqualTo("Seccomp:\t2\nmounted\n");
    }

    @Test
    void aSeccompProfileOfTheUsersAppliesToTheContainerAndItsExecs() throws Exception {
        Path profile = dir.resolve("no-mkdir.json");
        Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}""");
        assertThat(sh("mkdir /tmp/x 2>&1; grep Seccomp: /proc/self/status", "--security-opt", "seccomp=" + profile))
                .isEqualTo("mkdir: can't create directory '/tmp/x': Permission denied\nSeccomp:\t2\n");

        String id = ok(berth.run("run", "-d", "--security-opt", "seccomp=" + profile, "busybox", "sleep", "60")).out().strip();
        try {
            Result exec = berth.run("exec", id, "mkdir", "/tmp/y");
            assertThat(exec.exitCode()).isEqualTo(1);
            assertThat(exec.err()).contains("Permission denied");
        } finally {
            ok(berth.run("rm", "-f", id));
        }

        Result missing = berth.run("run", "--rm", "--security-opt", "seccomp=" + dir.resolve("absent.json"), "busybox", "true");
        assertThat(missing.exitCode()).isEqualTo(125);
        assertThat(missing.err()).isEqualTo("berth: opening seccomp profile (" + dir.resolve("absent.json") + ") failed: no such file\n");
        Result bad = berth.run("run", "--rm", "--security-opt", "seccomp={\"syscalls\": []}", "busybox", "true");
        assertThat(bad.exitCode()).isEqualTo(125);
        assertThat(bad.err()).isEqualTo("berth: invalid seccomp profile: defaultAction is missing\n");
        Result unknown = berth.run("run", "--rm", "--security-opt", "selinux=off", "busybox", "true");
        assertThat(unknown.exitCode()).isEqualTo(125);
        assertThat(unknown.err()).startsWith("berth: invalid --security-opt 'selinux=off'");
        assertThat(sh("grep NoNewPrivs /proc/self/status", "--security-opt", "no-new-privileges=false"))
                .isEqualTo("NoNewPrivs:\t0\n");
    }

    /**
     * A host device is refused unless given: made with mknod it cannot be opened; --device makes it and
     * allows it with its permissions; --privileged gives every host device. /dev/fuse opened and closed
     * does nothing to the host.
     */
    @Test
    void hostDevicesAreOpenOnlyWhenGiven() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/fuse")), "this host has no /dev/fuse");
        assertThat(sh("mknod /tmp/fuse c 10 229 && (: <> /tmp/fuse) 2>/dev/null && echo OPENED || echo refused")).isEqualTo("refused\n");
        assertThat(sh("(: <> /dev/fuse) && echo OPENED", "--device", "/dev/fuse")).isEqualTo("OPENED\n");
        assertThat(sh("(: <> /dev/f) 2>/dev/null && echo OPENED-RW || echo refused-rw; (: < /dev/f) && echo OPENED-R",
                "--device", "/dev/fuse:/dev/f:r")).isEqualTo("refused-rw\nOPENED-R\n");
        assertThat(sh("[ -c /dev/fuse ] && (: <> /dev/fuse) && echo OPENED", "--privileged")).isEqualTo("OPENED\n");

        Result notADevice = berth.run("run", "--rm", "--device", "/etc/hostname", "busybox", "true");
        assertThat(notADevice.exitCode()).isEqualTo(125);
        assertThat(notADevice.err()).isEqualTo("berth: invalid --device '/etc/hostname': /etc/hostname is not a device node\n");
    }

    @Test
    void sysctlsUlimitsAndGroupsApplyInsideOnly() throws Exception {
        String hostSomaxconn = Files.readString(Path.of("/proc/sys/net/core/somaxconn"));
        assertThat(sh("cat /proc/sys/net/core/somaxconn /proc/sys/kernel/shmmax", "--sysctl", "net.core.somaxconn=77",
                "--sysctl", "kernel.shmmax=123456").lines().toList()).containsExactly("77", "123456");
        assertThat(Files.readString(Path.of("/proc/sys/net/core/somaxconn"))).as("the sandbox's own value").isEqualTo(hostSomaxconn);
        Result host = berth.run("run", "--rm", "--sysctl", "kernel.panic=1", "busybox", "true");
        assertThat(host.exitCode()).isEqualTo(125);
        assertThat(host.err()).isEqualTo("berth: sysctl 'kernel.panic' is not in a separate kernel namespace\n");

        assertThat(sh("ulimit -n; ulimit -Hn; ulimit -c", "--ulimit", "nofile=512:1024", "--ulimit", "core=0").lines().toList())
                .containsExactly("512", "1024", "0");
        Result bad = berth.run("run", "--rm", "--ulimit", "nofile=9:2", "busybox", "true");
        assertThat(bad.exitCode()).isEqualTo(125);
        assertThat(bad.err()).isEqualTo("berth: invalid --ulimit 'nofile=9:2': the soft limit is above the hard one\n");

        // a gid and a name of the image's /etc/group (daemon is 1); the kernel keeps the list sorted
        assertThat(sh("id -G", "--group-add", "1234", "--group-add", "daemon")).isEqualTo("0 1 1234\n");
    }

    static String[] concatOptions(String[] options, String... more) {
        return Stream.concat(Stream.of(options), Stream.of(more)).toArray(String[]::new);
    }

    @Test
    void environmentWorkingDirectoryAndUserAreApplied() {
        String out = sh("echo $GREETING; pwd; id -u; id -g; echo $HOME",
                "-e", "GREETING=hi there", "-w", "/srv/app", "--user", "nobody");
        assertThat(out.lines().toList()).containsExactly("hi there", "/srv/app", "65534", "65534", "/nonexistent");
        assertThat(sh("id -u; id -g", "--user", "1234:4321").lines().toList()).containsExactly("1234", "4321");
        Result unknown = berth.run("run", "--rm", "--user", "nosuchuser", "busybox", "true");
        assertThat(unknown.exitCode()).isEqualTo(125);
        assertThat(unknown.err()).contains("unable to find user nosuchuser");
    }

    @Test
    void readOnlyRootRefusesWrites() {
        assertThat(sh("touch /x 2>/dev/null && echo writable || echo readonly; touch /tmp/y 2>/dev/null || echo tmp-readonly",
                "--read-only")).isEqualTo("readonly\ntmp-readonly\n");
    }

    @Test
    void standardInputReachesTheCommandOnlyWithInteractive() {
        assertThat(ok(berth.runWithInput("from stdin\n", "run", "--rm", "-i", "busybox", "cat")).out())
                .isEqualTo("from stdin\n");
        assertThat(ok(berth.runWithInput("from stdin\n", "run", "--rm", "busybox", "cat")).out()).isEmpty();
    }

    /** As with Docker (without --init), the command is PID 1 and gets only the signals it handles. */
    @Test
    void signalsSentToBerthReachTheContainer() throws Exception {
        Process run = berth.start("run", "--rm", "--name", "term", "busybox", "sh", "-c",
                "trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.1; done");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream()))) {
            assertThat(out.readLine()).isEqualTo("ready");
            signal("TERM", run); // to berth itself
            assertThat(run.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(out.readLine()).isEqualTo("got-term");
            assertThat(run.exitValue()).isEqualTo(42);
        } finally {
            run.destroyForcibly();
            berth.run("rm", "-f", "term");
        }
        Process hup = berth.start("run", "--rm", "--name", "hup", "busybox", "sh", "-c",
                "trap 'exit 7' HUP; while :; do sleep 0.1; done");
        try {
            Wait.until("the container to run", Duration.ofSeconds(20), () -> berth.run("ps").out().contains("hup"));
            signal("HUP", hup);
            assertThat(hup.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(hup.exitValue()).isEqualTo(7);
        } finally {
            hup.destroyForcibly();
            berth.run("rm", "-f", "hup");
        }
    }

    @Test
    void ttyGivesTheCommandAControllingTerminal() {
        String command = String.join(" ", berth.command("run", "--rm", "-t", "busybox", "sh", "-c",
                "'tty; stty size; ls -l /dev/console | cut -c1'"));
        Result result = BerthCli.exec(new ProcessBuilder("script", "-qec", "stty cols 91 rows 27; " + command,
                "/dev/null"), null);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        // script echoes the end of its own (empty) input as ^@, wherever it falls in the output
        assertThat(result.out().replace("\r", "").replace("^@", "").lines().toList())
                .containsSubsequence("/dev/pts/0", "27 91", "c");
    }

    @Test
    void aPlainDirectoryRunsAsRootAndStaysUnchanged() throws Exception {
        Path rootfs = dir.resolve("my_container");
        ok(BerthCli.host("cp", "-a", berth.imageLayers("busybox").getFirst().toString(), rootfs.toString()));
        List<String> before = listing(rootfs);
        Result result = ok(berth.run("run", "--rm", "--rootfs", rootfs.toString(), "/bin/sh", "-c",
                "hostname; ls / | head -1; touch /created"));
        assertThat(result.out().lines().toList()).hasSize(2).element(1).isEqualTo("bin");
        assertThat(listing(rootfs)).isEqualTo(before);
        Result empty = berth.run("run", "--rm", "--rootfs", Files.createDirectory(dir.resolve("empty")).toString(), "/bin/sh");
        assertThat(empty.exitCode()).isEqualTo(125);
        assertThat(empty.err()).contains("is empty");
    }

    @Test
    void aNameInUseIsRefusedWithTheHolder() {
        ok(berth.run("run", "--name", "taken", "busybox", "true"));
        Result again = berth.run("run", "--name", "taken", "busybox", "true");
        assertThat(again.exitCode()).isEqualTo(125);
        assertThat(again.err()).contains("the container name 'taken' is already in use");
        assertThat(berth.run("ps", "-a").out()).contains("Exited (0)").contains("taken");
        ok(berth.run("rm", "taken"));
    }

    @Test
    void aKilledBerthLeavesAContainerThatCanStillBeRemoved() throws Exception {
        Process run = berth.start("run", "--name", "orphan", "busybox", "sleep", "300");
        Wait.until("orphan to run", Duration.ofSeconds(20), () -> berth.run("ps").out().contains("orphan"));
        run.destroyForcibly(); // kill -9 of berth run itself
        run.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(berth.run("ps").out()).contains("orphan").contains("Up ");
        assertThat(berth.run("run", "--name", "orphan", "busybox", "true").err()).contains("already in use");
        ok(berth.run("rm", "-f", "orphan"));
        assertThat(berth.run("ps", "-a").out()).doesNotContain("orphan");
        ok(berth.run("run", "--rm", "--name", "orphan", "busybox", "true"));
    }

    @Test
    void withoutRootBerthRefusesWithOneLineAndTouchesNothing() {
        List<String> command = new java.util.ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        command.addAll(berth.command("run", "--rm", "busybox", "true"));
        Result r = BerthCli.exec(new ProcessBuilder(command), null);
        assertThat(r.exitCode()).isEqualTo(125);
        assertThat(r.err().lines()).containsExactly("berth: berth must run as root (try: sudo berth ...)");
    }

    @Test
    void aCreationInterruptedByKill9IsCleanedAwayByTheNextCommand() throws Exception {
        // what `kill -9` of berth between recording a container and starting it leaves: a CREATED record
        // whose owner is gone, and its directories
        String id = "d".repeat(64);
        Path dirOfIt = Files.createDirectories(berth.root().resolve("containers").resolve(id));
        Files.createDirectories(dirOfIt.resolve("upper"));
        Files.writeString(dirOfIt.resolve("state.json"), """
                {"id":"%s","name":"interrupted","image":"busybox","rootfs":"/","command":["true"],
                 "created":"2026-01-01T00:00:00Z","status":"CREATED","pid":999999,"pidStartTime":1,
                 "autoRemove":false,"network":"none","ports":[],"oomKilled":false,"restartPolicy":"no",
                 "restartCount":0,"detached":false,"aliases":[]}
                """.formatted(id));
        assertThat(ok(berth.run("ps", "-a")).out()).doesNotContain("interrupted");
        assertThat(dirOfIt).doesNotExist();
        ok(berth.run("run", "--rm", "--name", "interrupted", "--network", "none", "busybox", "true"));
    }

    @Test
    void inputThatUsedToSlipThroughIsOneLineExit125AndCreatesNothing() {
        for (String[] bad : List.of(new String[] {"--pids-limit", "-5"}, new String[] {"--dns", "notanip"},
                new String[] {"-m", "99999999999g"}, new String[] {"--cpus", "NaN"},
                new String[] {"--network", "berth0", "--network-alias", "db"}, new String[] {"--name", "two\nlines"})) {
            List<String> args = new java.util.ArrayList<>(List.of("run", "--rm"));
            args.addAll(List.of(bad));
            args.addAll(List.of("busybox", "true"));
            Result r = berth.run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", bad)).isEqualTo(125);
            assertThat(r.err().lines()).as(String.join(" ", bad)).hasSize(1);
        }
        assertThat(ok(berth.run("ps", "-a", "-q")).out()).isEmpty();
    }

    static void signal(String name, Process process) {
        ok(BerthCli.host("kill", "-" + name, String.valueOf(process.pid())));
    }

    static List<String> listing(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.map(p -> root.relativize(p) + " " + (Files.isSymbolicLink(p) ? "link" : p.toFile().length()))
                    .sorted().toList();
        }
    }

    /** What --privileged gives: every capability the test run itself holds (CapBnd, as /proc shows it). */
    static String heldMask() {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapBnd:"))
                    .map(l -> l.substring("CapBnd:".length()).strip()).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
