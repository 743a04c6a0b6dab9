package dev.berth.cgroup;

import dev.berth.spec.Defaults;
import dev.berth.testing.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cgroup v2 device program in the kernel: a process in a group of the unified hierarchy (this host's
 * hybrid layout mounts one at /sys/fs/cgroup/unified; a v2 host has it at /sys/fs/cgroup) opens what
 * its allow-list allows and nothing else. The group is the test's own and goes at the end.
 */
class DeviceFilterIT {
    @TempDir
    Path dir;

    private static Path unifiedHierarchy() {
        for (Path p : List.of(Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup"))) {
            if (Files.exists(p.resolve("cgroup.procs")) && Files.exists(p.resolve("cgroup.controllers"))) {
                return p;
            }
        }
        return null;
    }

    @Test
    void aProcessInTheGroupOpensOnlyTheDevicesItsListAllows() throws Exception {
        Privileged.require();
        Path unified = unifiedHierarchy();
        assumeTrue(unified != null, "this kernel mounts no unified cgroup hierarchy");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "this host has no /dev/fuse");
        Path group = unified.resolve("berth-devicefilter-it-" + ProcessHandle.current().pid());
        Files.createDirectory(group);
        Process shell = null;
        try {
            List<DeviceRule> rules = new ArrayList<>(Defaults.DEVICE_ALLOW.stream().map(DeviceRule::parse).toList());
            rules.add(DeviceRule.parse("c 10:229 r"));
            assertThat(new V2Cgroup(group).restrictDevices(rules)).isTrue();

            String script = "read go; "
                    + "(: <> /dev/null) 2>/dev/null && echo null-rw || echo null-refused; "
                    + "(: < /dev/fuse) 2>/dev/null && echo fuse-r || echo fuse-r-refused; "
                    + "(: <> /dev/fuse) 2>/dev/null && echo fuse-rw || echo fuse-rw-refused; "
                    + "mknod " + dir.resolve("kmsg") + " c 1 11 && echo made; "
                    + "(: < " + dir.resolve("kmsg") + ") 2>/dev/null && echo kmsg-r || echo kmsg-refused";
            shell = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
            Files.writeString(group.resolve("cgroup.procs"), String.valueOf(shell.pid()));
            shell.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            shell.getOutputStream().close();
            assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList())
                    .containsExactly("null-rw", "fuse-r", "fuse-rw-refused", "made", "kmsg-refused");
        } finally {
            if (shell != null) {
                shell.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            removeWhenEmpty(group);
        }
    }

    private static void removeWhenEmpty(Path group) throws IOException, InterruptedException {
        for (int i = 0; i < 100 && !Files.readString(group.resolve("cgroup.procs")).isBlank(); i++) {
            Thread.sleep(20); // the killed shell leaves the group as it is reaped
        }
        Files.delete(group);
    }
}
