package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.linux.Libc;
import dev.berth.linux.Procfs;
import dev.berth.state.ContainerRecord;

import java.util.function.IntConsumer;

/** Acting on a container's first process through a pidfd checked against its recorded start time. */
final class Pidfds {
    static final int SIGKILL = 9, SIGTERM = 15;

    private Pidfds() {}

    /** Runs action with a pidfd of the container's process; never reaches a recycled pid. */
    static void with(ContainerRecord record, IntConsumer action) {
        int pidfd = Libc.pidfdOpen(record.pid());
        try {
            if (!Procfs.isAlive(record.pid(), record.pidStartTime())) {
                throw new BerthException("container " + record.name() + " is not running");
            }
            action.accept(pidfd);
        } finally {
            Libc.closeQuietly(pidfd);
        }
    }

    /** The container's stop signal (SIGTERM unless set), then SIGKILL after timeoutSeconds; returns once it is gone. */
    static void stop(ContainerRecord record, int timeoutSeconds) {
        with(record, pidfd -> {
            Libc.pidfdSendSignal(pidfd, record.stopSignal());
            if (!exitsWithin(pidfd, Math.max(0, timeoutSeconds) * 1000)) {
                Libc.pidfdSendSignal(pidfd, SIGKILL);
                exitsWithin(pidfd, 10_000);
            }
        });
    }

    /** SIGKILL, waiting (bounded) for the process to die; a process already gone is fine. */
    static void kill(ContainerRecord record) {
        int pidfd;
        try {
            pidfd = Libc.pidfdOpen(record.pid());
        } catch (RuntimeException e) {
            return; // already gone
        }
        try {
            if (!Procfs.isAlive(record.pid(), record.pidStartTime())) {
                return;
            }
            Libc.pidfdSendSignal(pidfd, SIGKILL);
            if (!exitsWithin(pidfd, 10_000)) {
                throw new BerthException("container " + record.name() + " did not die within 10 s of SIGKILL");
            }
        } finally {
            Libc.closeQuietly(pidfd);
        }
    }

    private static boolean exitsWithin(int pidfd, int millis) {
        return (Libc.poll(pidfd, Libc.POLLIN, millis) & Libc.POLLIN) != 0;
    }
}
