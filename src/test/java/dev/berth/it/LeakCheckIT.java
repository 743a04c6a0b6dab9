package dev.berth.it;

import dev.berth.linux.Libc;
import dev.berth.linux.Procfs;
import dev.berth.testing.BerthCli;
import dev.berth.testing.Privileged;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs after every other test class (junit-platform.properties) and fails the run if the tests left
 * anything behind in the sandbox: processes, mounts, links, namespace pins.
 */
@Order(Integer.MAX_VALUE)
class LeakCheckIT {
    @Test
    void noProcessesAreLeft() throws Exception {
        Privileged.require();
        List<String> alive = new ArrayList<>();
        for (int pid : children()) {
            String stat = Procfs.read("/proc/" + pid + "/stat");
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            if (!state.equals("Z")) {
                alive.add(pid + " " + Procfs.read("/proc/" + pid + "/cmdline").replace('\0', ' '));
                Libc.kill(pid, 9); // leave the machine clean even when failing
            }
        }
        assertThat(alive).as("processes left running by the tests").isEmpty();
    }

    @Test
    void noContainerMountsAreLeft() throws Exception {
        Privileged.require();
        List<String> baseline = Files.readAllLines(Path.of("/run/berth-test/mountinfo.baseline"));
        List<String> added = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> !baseline.contains(l))
                .filter(l -> !l.split(" ")[4].equals("/run/netns")) // iproute2's own shared mount point
                .toList();
        assertThat(added).as("mounts the tests added to the sandbox").isEmpty();
    }

    @Test
    void theSandboxHasOnlyItsLoopbackAndNoNamespacePins() throws Exception {
        Privileged.require();
        assertThat(BerthCli.linksOnceVethsAreFreed()).containsExactly("lo");
        Path pins = Path.of("/run/netns");
        if (Files.isDirectory(pins)) {
            try (Stream<Path> left = Files.list(pins)) {
                assertThat(left.toList()).as("network namespace pins").isEmpty();
            }
        }
    }

    @Test
    void noBerthNftablesTableIsLeft() {
        Privileged.require();
        assertThat(BerthCli.host("nft", "list", "tables").out()).doesNotContain("berth");
    }

    @Test
    void noCgroupOfTheTestsIsLeft() throws Exception {
        Privileged.require();
        List<Path> left = new ArrayList<>();
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(BerthCli.CGROUP_PARENT);
                if (Files.exists(parent)) {
                    left.add(parent);
                }
            }
        }
        if (Files.exists(Path.of("/sys/fs/cgroup", BerthCli.CGROUP_PARENT))) {
            left.add(Path.of("/sys/fs/cgroup", BerthCli.CGROUP_PARENT));
        }
        assertThat(left).as("cgroups left by the tests").isEmpty();
    }

    @Test
    void noJvmCrashedAndNoCrashReportReachedTheWorkTree() throws Exception {
        List<Path> reports = new ArrayList<>();
        for (Path dir : List.of(BerthCli.crashDir(), Path.of("."))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(f -> f.getFileName().toString().matches("(hs_err|replay)_pid\\d+\\.log"))
                            .forEach(reports::add);
                }
            }
        }
        assertThat(reports).as("JVM crash reports written during the tests").isEmpty();
    }

    private static List<Integer> children() throws Exception {
        List<Integer> pids = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String children = Procfs.read(task.resolve("children").toString()).trim();
                for (String pid : children.split("\\s+")) {
                    if (!pid.isEmpty()) {
                        pids.add(Integer.parseInt(pid));
                    }
                }
            }
        }
        return pids;
    }
}
