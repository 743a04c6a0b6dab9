package dev.berth.api;

import dev.berth.linux.Libc;
import dev.berth.linux.Procfs;
import dev.berth.linux.Tty;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** What the CLI asks about the machine and its own process, so that it never calls the kernel itself. */
public final class Host {
    private Host() {}

    public static boolean isRoot() {
        return Libc.geteuid() == 0;
    }

    /** Whether fd (of this process) is a terminal. */
    public static boolean isTerminal(int fd) {
        return Tty.isatty(fd);
    }

    /** A process's argv as it set it (the executable's path would be ProcessHandle's answer); "?" when gone. */
    public static String commandLine(long pid) {
        try {
            return Procfs.read("/proc/" + pid + "/cmdline").replace('\0', ' ').strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /** True when the network namespace whose /proc/PID/net is net has a TCP socket listening on port. */
    public static boolean listens(Path net, int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("tcp", "tcp6")) {
            if (Procfs.read(net.resolve(table).toString()).lines().skip(1)
                    .map(l -> l.trim().split("\\s+"))
                    .anyMatch(f -> f[1].endsWith(hexPort) && f[3].equals("0A"))) { // 0A: LISTEN
                return true;
            }
        }
        return false;
    }

    /** Leads a session of its own (the supervisor: the terminal that started it may go away). */
    public static void leaveTerminalSession() {
        try {
            Libc.setsid();
        } catch (RuntimeException alreadyLeader) {
            // started from a shell as a session leader: nothing to change
        }
    }

    /** Waits (bounded) for process pid to exit; runs beforeWaiting once the process is held. */
    public static void awaitExit(int pid, int millis, Runnable beforeWaiting) {
        int pidfd = Libc.pidfdOpen(pid);
        try {
            beforeWaiting.run();
            Libc.poll(pidfd, Libc.POLLIN, millis);
        } finally {
            Libc.closeQuietly(pidfd);
        }
    }
}
