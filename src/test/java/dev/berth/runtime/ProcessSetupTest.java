package dev.berth.runtime;

import dev.berth.BerthException;
import dev.berth.linux.Errno;
import dev.berth.linux.RecordingSyscalls;
import dev.berth.linux.SyscallException;
import dev.berth.linux.Syscalls.SpawnPlan;
import dev.berth.linux.Syscalls.SpawnPlan.FileAction;
import dev.berth.spec.ProcessSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a container process's command is found and its streams are wired before it runs. */
class ProcessSetupTest {
    private final List<SpawnPlan> plans = new ArrayList<>();
    private final RecordingSyscalls sys = new RecordingSyscalls() {
        @Override
        public int spawn(SpawnPlan plan) {
            plans.add(plan);
            return 7;
        }
    };
    private final ProcessSetup setup = new ProcessSetup(sys);

    private static ProcessSpec process(String... args) {
        return new ProcessSpec(false, new ProcessSpec.User(0, 0, List.of()), List.of(args),
                List.of("PATH=/usr/bin:/bin", "A=1"), "/", List.of(), true, null);
    }

    @Test
    void theCommandIsLookedUpInTheContainersPathInOrder() {
        sys.executable("/usr/bin/env");
        assertThat(setup.resolveExecutable(process("env"))).isEqualTo("/usr/bin/env");
        assertThat(setup.resolveExecutable(process("sh"))).isEqualTo("/bin/sh");
        assertThat(setup.resolveExecutable(process("/bin/true"))).isEqualTo("/bin/true");
        assertThatThrownBy(() -> setup.resolveExecutable(process("/opt/none")))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.exitCode()).isEqualTo(127))
                .hasMessage("exec: \"/opt/none\": no such file or directory");
    }

    @Test
    void theFirstProcessReadsDevNullWaitsOnTheFifoAndInheritsNothingElse() {
        setup.spawn(process("sh"), "/bin/sh", ContainerStarter.Stdio.of(ContainerStarter.Stdin.NULL), null, "/dev/.berth-start");
        SpawnPlan plan = plans.getFirst();
        assertThat(plan.newSession()).isTrue();
        assertThat(plan.argv()).containsExactly("sh");
        assertThat(plan.env()).containsExactly("PATH=/usr/bin:/bin", "A=1");
        assertThat(plan.actions()).containsExactly(new FileAction.Open(0, "/dev/null", 0, 0), new FileAction.CloseFrom(3),
                new FileAction.Open(3, "/dev/.berth-start", 0, 0), new FileAction.Close(3));
    }

    @Test
    void aDetachedContainersOutputAndErrorsGoToItsLog() {
        setup.spawn(process("sh"), "/bin/sh", ContainerStarter.Stdio.log(42), null, null);
        assertThat(plans.getFirst().actions()).containsExactly(new FileAction.Open(0, "/dev/null", 0, 0),
                new FileAction.Dup2(42, 1), new FileAction.Dup2(42, 2), new FileAction.CloseFrom(3));
    }

    @Test
    void aClientsStreamsAreDuplicatedOntoTheProcesssOwn() {
        setup.spawn(process("sh"), "/bin/sh", new ContainerStarter.Stdio(ContainerStarter.Stdin.INHERIT, 5, 6, 7), null, null);
        assertThat(plans.getFirst().actions()).containsExactly(new FileAction.Dup2(5, 0), new FileAction.Dup2(6, 1),
                new FileAction.Dup2(7, 2), new FileAction.CloseFrom(3));
    }

    @Test
    void spawnFailuresBecomeDockersExitCodes() {
        assertThat(ProcessSetup.startFailure(process("x"), new SyscallException("posix_spawn", "x", Errno.ENOENT)).exitCode())
                .isEqualTo(127);
        assertThat(ProcessSetup.startFailure(process("x"), new SyscallException("posix_spawn", "x", Errno.EACCES)))
                .hasMessage("exec: \"x\": permission denied").extracting(BerthException::exitCode).isEqualTo(126);
        assertThat(ProcessSetup.startFailure(process("x"), new SyscallException("mount", "/m", Errno.EPERM)))
                .hasMessage("cannot start container: mount /m: EPERM").extracting(BerthException::exitCode).isEqualTo(125);
        assertThat(ProcessSetup.startFailure(process("x"), new IllegalStateException("timed out")))
                .hasMessage("cannot start container: timed out");
    }

    @Test
    void anOomScoreIsWrittenOnlyWhenAsked() {
        setup.applyOomScoreAdj(9, null);
        setup.applyOomScoreAdj(9, 1000);
        assertThat(sys.written()).containsExactly(java.util.Map.entry("/proc/9/oom_score_adj", "1000"));
    }
}
