package dev.berth.cgroup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Both back ends on fake hierarchies (temporary directories with cgroupfs' file names). */
class CgroupsTest {
    @TempDir
    Path root;

    private static final Resources LIMITS = new Resources(64L << 20, 64L << 20, 32L << 20, 50_000L, 100_000L, 512L,
            "0", 20L);

    @Test
    void v2WritesEveryLimitInTheUnifiedFormatAndEnablesControllers() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids");
        Cgroups cgroups = Cgroups.v2(root, "berth");
        Files.createDirectories(root.resolve("berth"));
        Files.writeString(root.resolve("berth/cgroup.controllers"), "cpuset cpu memory pids");
        Cgroup group = cgroups.create("c1", LIMITS);
        Path dir = root.resolve("berth/c1");
        assertThat(dir.resolve("memory.max")).hasContent(String.valueOf(64L << 20));
        assertThat(dir.resolve("memory.swap.max")).hasContent("0");
        assertThat(dir.resolve("memory.low")).hasContent(String.valueOf(32L << 20));
        assertThat(dir.resolve("cpu.max")).hasContent("50000 100000");
        assertThat(dir.resolve("cpu.weight")).hasContent("20");
        assertThat(dir.resolve("cpuset.cpus")).hasContent("0");
        assertThat(dir.resolve("pids.max")).hasContent("20");
        assertThat(root.resolve("cgroup.subtree_control")).hasContent("+memory +cpu +cpuset +pids");
        assertThat(group.enterCallingThread()).isFalse();
        group.addProcess(4242);
        assertThat(dir.resolve("cgroup.procs")).hasContent("4242");
        assertThat(cgroups.ids()).containsExactly("c1");
    }

    @Test
    void v2ReadsUsageAndTheOomKiller() throws Exception {
        Cgroup group = Cgroups.v2(root, "berth").open("c2");
        Path dir = Files.createDirectories(root.resolve("berth/c2"));
        Files.writeString(dir.resolve("memory.current"), "1048576\n");
        Files.writeString(dir.resolve("memory.max"), "max\n");
        Files.writeString(dir.resolve("cpu.stat"), "usage_usec 2500\nuser_usec 2000\n");
        Files.writeString(dir.resolve("pids.current"), "3\n");
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
        assertThat(group.stats()).isEqualTo(new Stats(1048576, 0, 2_500_000, 3));
        assertThat(group.oomKilled()).isTrue();
    }

    @Test
    void v1WritesEachControllersFilesAndCopiesTheCpusetOfItsParent() throws Exception {
        Map<String, Path> roots = Map.of("memory", root.resolve("memory"), "cpu", root.resolve("cpu"),
                "cpuset", root.resolve("cpuset"), "pids", root.resolve("pids"));
        Files.createDirectories(root.resolve("cpuset"));
        Files.writeString(root.resolve("cpuset/cpuset.cpus"), "0-1");
        Files.writeString(root.resolve("cpuset/cpuset.mems"), "0");
        Files.createDirectories(root.resolve("memory/berth/c3"));
        Files.writeString(root.resolve("memory/berth/c3/memory.memsw.limit_in_bytes"), "");
        Cgroup group = Cgroups.v1(roots, "berth").create("c3", new Resources(64L << 20, null, null, 50_000L, 100_000L,
                null, null, 20L));
        assertThat(root.resolve("memory/berth/c3/memory.limit_in_bytes")).hasContent(String.valueOf(64L << 20));
        assertThat(root.resolve("memory/berth/c3/memory.memsw.limit_in_bytes")).hasContent(String.valueOf(64L << 20));
        assertThat(root.resolve("cpu/berth/c3/cpu.cfs_quota_us")).hasContent("50000");
        assertThat(root.resolve("pids/berth/c3/pids.max")).hasContent("20");
        assertThat(root.resolve("cpuset/berth/cpuset.cpus")).hasContent("0-1");
        assertThat(root.resolve("cpuset/berth/c3/cpuset.mems")).hasContent("0");
        assertThat(group.enterCallingThread()).isTrue();
        assertThat(root.resolve("pids/berth/c3/tasks")).hasContent("0");
        Files.writeString(root.resolve("memory/berth/c3/memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertThat(group.oomKilled()).isTrue();
    }

    @Test
    void v1AlsoSetsSwappinessTheOomKillerAndKernelTcpMemoryWhichV2Lacks() throws Exception {
        Resources memory = new Resources(null, null, null, null, null, null, null, null, 10L, true, 1L << 20);
        Cgroups.v1(Map.of("memory", root.resolve("memory")), "berth").create("c4", memory);
        assertThat(root.resolve("memory/berth/c4/memory.swappiness")).hasContent("10");
        assertThat(root.resolve("memory/berth/c4/memory.oom_control")).hasContent("1");
        assertThat(root.resolve("memory/berth/c4/memory.kmem.tcp.limit_in_bytes")).hasContent(String.valueOf(1L << 20));

        Files.writeString(root.resolve("cgroup.controllers"), "memory");
        Cgroups.v2(root, "berth").create("c5", memory); // ignored there, as Docker does on cgroup v2
        assertThat(root.resolve("berth/c5/memory.swappiness")).doesNotExist();
    }
}
