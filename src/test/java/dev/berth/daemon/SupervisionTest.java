package dev.berth.daemon;

import dev.berth.state.ContainerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** A supervisor's decisions: what it takes over, and what it restarts when. */
class SupervisionTest {
    private static ContainerRecord record(String name, boolean detached, boolean autoRemove, String policy, int restarts) {
        return ContainerRecord.beingCreated(name.repeat(64).substring(0, 64), name, "t",
                new ContainerRecord.Source("busybox", null, "/", null, List.of("sh")), 1, 1,
                new ContainerRecord.Network("none", null, List.of(), List.of()),
                new ContainerRecord.Policy(autoRemove, policy, restarts, detached));
    }

    private static ContainerRecord running(String name, boolean detached, int pid) {
        return record(name, detached, false, "no", 0).running(pid, 100 + pid, "t");
    }

    @Test
    void aNewSupervisorAdoptsOnlyDetachedContainersWhoseProcessStillRuns() {
        List<ContainerRecord> records = List.of(running("a", true, 10), running("b", true, 11), running("c", false, 12),
                record("d", true, false, "always", 0).running(13, 113, "t").exited(0, "t", false),
                record("e", true, false, "no", 0));
        List<ContainerRecord> adopted = Supervision.toAdopt(records, (pid, start) -> pid != 11 && start == 100 + pid);
        assertThat(adopted).extracting(ContainerRecord::name).containsExactly("a");
    }

    @Test
    void aRecycledPidIsNotTakenForTheContainer() {
        List<ContainerRecord> adopted = Supervision.toAdopt(List.of(running("a", true, 10)), (pid, start) -> start == 999);
        assertThat(adopted).isEmpty();
    }

    @Test
    void onFailureRestartsFailuresWithDoublingBackOffUpToItsLimit() {
        assertThat(Supervision.restartDelay(record("a", true, false, "on-failure:3", 0), 1, false)).hasValue(100);
        assertThat(Supervision.restartDelay(record("a", true, false, "on-failure:3", 2), 1, false)).hasValue(400);
        assertThat(Supervision.restartDelay(record("a", true, false, "on-failure:3", 3), 1, false)).isEmpty();
        assertThat(Supervision.restartDelay(record("a", true, false, "on-failure:3", 0), 0, false)).isEmpty();
        assertThat(Supervision.restartDelay(record("a", true, false, "on-failure", 50), null, false))
                .as("unknown status after re-adoption counts as a failure; no limit; the delay stops at 10 s")
                .hasValue(10_000);
    }

    @Test
    void alwaysRestartsEvenSuccessesButNeverAStopOnPurposeNorARmContainer() {
        assertThat(Supervision.restartDelay(record("a", true, false, "always", 0), 0, false)).hasValue(100);
        assertThat(Supervision.restartDelay(record("a", true, false, "unless-stopped", 1), 137, false)).hasValue(200);
        assertThat(Supervision.restartDelay(record("a", true, false, "always", 0), 0, true)).isEmpty();
        assertThat(Supervision.restartDelay(record("a", true, true, "always", 0), 1, false)).isEqualTo(OptionalLong.empty());
        assertThat(Supervision.restartDelay(record("a", true, false, "no", 0), 1, false)).isEmpty();
    }
}
