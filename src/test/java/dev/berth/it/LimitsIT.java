package dev.berth.it;

import dev.berth.testing.BerthCli;
import dev.berth.testing.BerthCli.Result;
import dev.berth.testing.Wait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The tutorial's Part 3: memory, CPU and PIDs limits through cgroups (v1 on this machine's hybrid
 * layout), checked through the kernel's own counters.
 */
class LimitsIT {
    @TempDir
    static Path dir;
    static BerthCli berth;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void busyboxImage() {
        berth = BerthCli.withBusybox(dir);
    }

    @AfterEach
    void removeContainers() {
        berth.removeContainers();
        started.forEach(Process::destroyForcibly);
    }

    static Result ok(Result r) {
        return RunIT.ok(r);
    }

    static Path v1(String controller, String id) {
        return Path.of("/sys/fs/cgroup", controller, BerthCli.CGROUP_PARENT, id);
    }

    String idOf(String name) {
        return ok(berth.run("inspect", name)).out().replaceAll("(?s).*\"Id\" : \"([0-9a-f]{64})\".*", "$1");
    }

    static long read(Path file) throws Exception {
        return Long.parseLong(Files.readString(file).strip());
    }

    @Test
    void aMemoryHogIsKilledAtTheLimitAndReportedAsOomKilled() {
        Result hog = berth.run("run", "--name", "hog", "--network", "none", "--memory", "32m", "--memory-swap", "32m",
                "busybox", "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived");
        assertThat(hog.exitCode()).isEqualTo(137);
        assertThat(hog.out()).doesNotContain("survived");
        assertThat(ok(berth.run("inspect", "hog")).out()).contains("\"OOMKilled\" : true").contains("\"ExitCode\" : 137");
        assertThat(ok(berth.run("ps", "-a")).out()).contains("Exited (137)");
        assertThat(ok(berth.run("run", "--rm", "--network", "none", "busybox", "echo", "the host is fine")).out())
                .isEqualTo("the host is fine\n");
    }

    @Test
    void aForkBombStopsAtThePidsLimitAndTheContainerLives() {
        Result r = ok(berth.run("run", "--rm", "--network", "none", "--pids-limit", "10", "busybox", "sh", "-c",
                "sh -c 'while :; do sleep 5 & done' 2>/dev/null; echo alive"));
        assertThat(r.out()).isEqualTo("alive\n");
    }

    @Test
    void halfACpuIsHeldAtHalfACpuByTheGroupsOwnCounterAndUpdateChangesIt() throws Exception {
        started.add(berth.start("run", "--rm", "--name", "busy", "--network", "none", "--cpus", "0.5", "--memory", "64m",
                "busybox", "sh", "-c", "while :; do :; done"));
        Wait.until("busy to run", Duration.ofSeconds(30), () -> berth.run("ps").out().contains("busy"));
        String id = idOf("busy");
        Path usage = v1("cpuacct", id).resolve("cpuacct.usage");
        long before = read(usage);
        long start = System.nanoTime();
        Wait.until("three seconds of CPU accounting", Duration.ofSeconds(10), () -> System.nanoTime() - start > 3_000_000_000L);
        double cpus = (double) (read(usage) - before) / (System.nanoTime() - start);
        assertThat(cpus).isCloseTo(0.5, within(0.1));

        assertThat(Files.readString(v1("memory", id).resolve("memory.limit_in_bytes")).strip()).isEqualTo(String.valueOf(64L << 20));
        ok(berth.run("update", "--cpus", "1", "--memory", "128m", "busy"));
        assertThat(read(v1("cpu", id).resolve("cpu.cfs_quota_us"))).isEqualTo(100_000);
        assertThat(read(v1("memory", id).resolve("memory.limit_in_bytes"))).isEqualTo(128L << 20);

        String stats = ok(berth.run("stats", "--no-stream", "--format", "json", "busy")).out();
        assertThat(stats).containsPattern("\"PIDs\" : [1-9]").containsPattern("\"MemUsage\" : [1-9]\\d+")
                .contains("\"MemLimit\" : " + (128L << 20));
        ok(berth.run("rm", "-f", "busy"));
        assertThat(v1("cpu", id)).doesNotExist();
    }

    @Test
    void theContainerSeesItsOwnGroupAsTheRoot() {
        String out = ok(berth.run("run", "--rm", "--network", "none", "--memory", "64m", "busybox", "cat", "/proc/self/cgroup")).out();
        assertThat(out.lines().filter(l -> l.contains(":memory:") || l.contains(":pids:")).toList())
                .hasSize(2).allMatch(l -> l.endsWith(":/"), "the group is the namespace's root");
    }

    @Test
    void impossibleLimitsAreOneLineErrorsAndLeaveNothing() {
        for (String[] bad : List.of(new String[] {"--memory", "1k"}, new String[] {"--cpus", "0"},
                new String[] {"--cpus", "64"}, new String[] {"--pids-limit", "0"}, new String[] {"--cpuset-cpus", "7"})) {
            List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none"));
            args.addAll(List.of(bad));
            args.addAll(List.of("busybox", "true"));
            Result r = berth.run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", bad)).isEqualTo(125);
            assertThat(r.err().lines()).hasSize(1);
        }
        assertThat(ok(berth.run("ps", "-a", "-q")).out()).isEmpty();
    }

    @Test
    void aHostDeviceMadeInsideCannotBeOpenedWhileTheContainersOwnDevicesWork() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/devices")),
                "this kernel has no cgroup v1 devices controller (DeviceFilterIT tests the cgroup v2 program)");
        // the attacker's moves: make a node for the host's /dev/kmsg and one for a loop disk, then use them
        Result attack = berth.run("run", "--rm", "--network", "none", "busybox", "sh", "-c",
                "mknod /tmp/kmsg c 1 11 && echo made; echo berth-devices-test > /tmp/kmsg && echo WROTE-KMSG; "
                        + "mknod /tmp/disk b 7 0 && echo made; head -c 1 /tmp/disk > /dev/null && echo READ-DISK; "
                        + "echo ok > /dev/null && head -c 4 /dev/urandom | wc -c");
        assertThat(attack.out().lines().map(String::strip).toList()).containsExactly("made", "made", "4");
        assertThat(attack.err()).contains("/tmp/kmsg: Operation not permitted").contains("Operation not permitted");

        started.add(berth.start("run", "--rm", "--name", "devs", "--network", "none", "busybox", "sleep", "60"));
        Wait.until("devs to run", Duration.ofSeconds(30), () -> berth.run("ps").out().contains("devs"));
        List<String> allowed = Files.readAllLines(v1("devices", idOf("devs")).resolve("devices.list"));
        assertThat(allowed).contains("c *:* m", "b *:* m", "c 1:3 rwm", "c 136:* rwm").doesNotContain("a *:* rwm")
                .noneMatch(rule -> rule.startsWith("b") && rule.endsWith("rwm"));
        ok(berth.run("rm", "-f", "devs"));
    }
}
