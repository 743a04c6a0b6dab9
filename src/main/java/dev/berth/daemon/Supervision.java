package dev.berth.daemon;

import dev.berth.api.RestartPolicy;
import dev.berth.state.ContainerRecord;

import java.util.List;
import java.util.OptionalLong;

/**
 * The supervisor's decisions, apart from the processes they are about: which containers a new supervisor
 * takes over from a dead one, and whether and when an ended container starts again.
 */
final class Supervision {
    private Supervision() {}

    /** Whether the process recorded for a container (pid, start time) still runs. */
    @FunctionalInterface
    interface Liveness {
        boolean isAlive(int pid, long startTime);
    }

    /**
     * The containers a previous supervisor started and that still run: a new supervisor watches them
     * (without their exit status, which only their parent could read). Foreground containers belong to
     * the berth run that started them, exited ones to nobody.
     */
    static List<ContainerRecord> toAdopt(List<ContainerRecord> records, Liveness liveness) {
        return records.stream()
                .filter(r -> r.detached() && r.status() == ContainerRecord.Status.RUNNING
                        && liveness.isAlive(r.pid(), r.pidStartTime()))
                .toList();
    }

    /**
     * The delay before an ended container starts again, by its restart policy and how often it restarted
     * already (back-off: 100 ms doubling to 10 s); empty when it stays ended: --rm containers, a policy
     * that says no, or a stop on purpose.
     */
    static OptionalLong restartDelay(ContainerRecord record, Integer exitCode, boolean stoppedOnPurpose) {
        if (record.autoRemove()) {
            return OptionalLong.empty();
        }
        RestartPolicy policy = RestartPolicy.parse(record.restartPolicy());
        if (!policy.shouldRestart(exitCode, record.restartCount(), stoppedOnPurpose)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(RestartPolicy.backoffMillis(record.restartCount()));
    }
}
