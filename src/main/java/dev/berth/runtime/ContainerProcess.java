package dev.berth.runtime;

import dev.berth.linux.Libc;

/**
 * The running first process of a container, held by a pidfd so that signals and waits can never reach
 * a recycled pid.
 */
public final class ContainerProcess implements AutoCloseable {
    private final int pid;
    private final int pidfd;
    private final Terminal terminal;

    ContainerProcess(int pid, int pidfd, Terminal terminal) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.terminal = terminal;
    }

    /** The pid as berth's own PID namespace sees it. */
    public int pid() {
        return pid;
    }

    /** The terminal's master side, when the container was started with one. */
    public Terminal terminal() {
        return terminal;
    }

    public void signal(int signal) {
        Libc.pidfdSendSignal(pidfd, signal);
    }

    /**
     * Waits for the process to end; returns its exit code, or 128+N when signal N killed it. The process
     * is left a zombie (WNOWAIT) until close(), so nobody can take it for gone before its status is
     * recorded.
     */
    public int waitFor() {
        int[] status = Libc.waitPidfd(pidfd, Libc.WNOWAIT);
        return exitCode(status[0], status[1]);
    }

    /** The exit code if the process has ended (still unreaped until close()), null while it runs. */
    public Integer pollExit() {
        int[] status = Libc.waitPidfd(pidfd, Libc.WNOHANG | Libc.WNOWAIT);
        return status == null ? null : exitCode(status[0], status[1]);
    }

    static int exitCode(int code, int status) {
        return code == Libc.CLD_EXITED ? status : 128 + status;
    }

    /** Reaps the process if it has ended, releases the pidfd and the terminal. */
    @Override
    public void close() {
        try {
            Libc.waitPidfd(pidfd, Libc.WNOHANG);
        } catch (RuntimeException alreadyReaped) {
            // nothing left to collect
        }
        Libc.closeQuietly(pidfd);
        if (terminal != null) {
            terminal.close();
        }
    }
}
