package dev.berth.runtime;

import dev.berth.BerthException;
import dev.berth.linux.Errno;
import dev.berth.linux.Libc;
import dev.berth.linux.SyscallException;
import dev.berth.linux.Syscalls;
import dev.berth.linux.Syscalls.SpawnPlan;
import dev.berth.linux.Syscalls.SpawnPlan.FileAction;
import dev.berth.spec.ProcessSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The last steps before a container's process exists, shared by the first process and {@code exec}: the
 * command looked up in the container's PATH, the container's identity taken on the spawning thread
 * (capabilities, ids, no_new_privs), and the spawn with the process's standard streams.
 */
final class ProcessSetup {
    private final Syscalls sys;

    ProcessSetup(Syscalls sys) {
        this.sys = sys;
    }

    /**
     * Looks the command up in the container's PATH, from inside the container's root; in Docker's default
     * PATH when the environment has none (an OCI config may give no environment at all).
     */
    String resolveExecutable(ProcessSpec process) {
        String command = process.args().getFirst();
        if (command.contains("/")) {
            if (!sys.exists(command)) {
                throw new BerthException(BerthException.NOT_FOUND, "exec: \"" + command + "\": no such file or directory", null);
            }
            return command;
        }
        String path = process.envValue("PATH");
        for (String dir : (path == null ? dev.berth.spec.Defaults.PATH : path).split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            String candidate = dir + "/" + command;
            if (sys.isExecutable(candidate) && !sys.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new BerthException(BerthException.NOT_FOUND, "exec: \"" + command + "\": executable file not found in $PATH", null);
    }

    /**
     * The container's privileges, set on the spawning thread so the child inherits exactly them: the
     * bounding set first (it needs CAP_SETPCAP), then the ids, then the capability sets, then no_new_privs,
     * and last the seccomp filter (null: none), so it need allow nothing of this sequence. OCI's separate
     * sets, when given, are set as they are (for any uid, kept across its change), ambient ones raised. Without
     * no_new_privs the kernel takes a filter only with CAP_SYS_ADMIN: then it comes before the ids (runc's order).
     */
    private static final int PR_CAP_AMBIENT_RAISE = 2;

    void takeIdentity(ProcessSpec process, byte[] seccompFilter, int lastCap) {
        long keep = Capabilities.mask(process.capabilities());
        for (int cap = 0; cap <= lastCap; cap++) {
            if ((keep & (1L << cap)) == 0) {
                sys.prctl(Libc.PR_CAPBSET_DROP, cap, 0);
            }
        }
        if (seccompFilter != null && !process.noNewPrivileges()) {
            sys.seccompFilter(seccompFilter);
        }
        ProcessSpec.User user = process.user();
        ProcessSpec.CapabilitySets sets = process.capabilitySets();
        if (sets != null && user.uid() != 0) {
            sys.prctl(Libc.PR_SET_KEEPCAPS, 1, 0); // the permitted set survives the change of uid
        }
        sys.setThreadIdentity(user.uid(), user.gid(), user.additionalGids().stream().mapToInt(Integer::intValue).toArray());
        if (sets != null) {
            sys.capset(Capabilities.mask(sets.effective()), Capabilities.mask(sets.permitted()),
                    Capabilities.mask(sets.inheritable()));
            long ambient = Capabilities.mask(sets.ambient());
            for (int cap = 0; cap <= lastCap; cap++) {
                if ((ambient & (1L << cap)) != 0) {
                    sys.prctl(Libc.PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap);
                }
            }
        } else if (user.uid() == 0) {
            sys.capset(keep, keep, 0);
        } else {
            sys.capset(0, 0, 0);
        }
        if (process.noNewPrivileges()) {
            sys.prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0);
        }
        sys.umask(022);
        if (seccompFilter != null && process.noNewPrivileges()) {
            sys.seccompFilter(seccompFilter);
        }
    }

    /**
     * posix_spawn of the command in a new session, its streams wired as stdio (or to the terminal's slave);
     * startFifo, when not null, is opened by the child before it executes the command: it blocks there
     * until the starter releases it.
     */
    int spawn(ProcessSpec process, String executable, ContainerStarter.Stdio stdio, Terminal terminal, String startFifo) {
        List<FileAction> actions = new ArrayList<>();
        if (terminal != null) {
            actions.add(new FileAction.Open(0, terminal.slavePath(), Libc.O_RDWR, 0));
            actions.add(new FileAction.Dup2(0, 1));
            actions.add(new FileAction.Dup2(0, 2));
        } else {
            if (stdio.stdin() == ContainerStarter.Stdin.NULL) {
                actions.add(new FileAction.Open(0, "/dev/null", Libc.O_RDONLY, 0));
            } else if (stdio.inputFd() >= 0) {
                actions.add(new FileAction.Dup2(stdio.inputFd(), 0));
            }
            if (stdio.outputFd() >= 0) {
                actions.add(new FileAction.Dup2(stdio.outputFd(), 1));
            }
            if (stdio.errorFd() >= 0) {
                actions.add(new FileAction.Dup2(stdio.errorFd(), 2));
            }
        }
        // nothing of the spawner's leaks in, not even while the child waits at its start FIFO
        actions.add(new FileAction.CloseFrom(3));
        if (startFifo != null) {
            actions.add(new FileAction.Open(3, startFifo, Libc.O_RDONLY, 0));
            actions.add(new FileAction.Close(3));
        }
        return sys.spawn(new SpawnPlan(executable, process.args(), process.env(), true, actions));
    }

    /** The process's OOM score adjustment (OCI process.oomScoreAdj); null leaves the inherited one. */
    void applyOomScoreAdj(int pid, Integer oomScoreAdj) {
        if (oomScoreAdj != null) {
            sys.write("/proc/" + pid + "/oom_score_adj", oomScoreAdj.toString());
        }
    }

    private static final List<String> RLIMITS = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK",
            "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
            "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

    /**
     * The process's resource limits (OCI process.rlimits), set with prlimit while it waits to exec: limits
     * belong to a whole process, so the spawning thread cannot take them on for its child as it does ids.
     * Called from a throw-away helper thread (whose ids it may change for the call).
     */
    void applyRlimits(int pid, ProcessSpec process) {
        ProcessSpec.User user = process.user();
        for (ProcessSpec.Rlimit limit : process.rlimits()) {
            int resource = RLIMITS.indexOf(limit.type());
            if (resource < 0) {
                throw new BerthException("unknown resource limit " + limit.type());
            }
            try {
                if (user.uid() == 0 && user.gid() == 0) {
                    sys.prlimit(pid, resource, limit.soft(), limit.hard());
                } else { // the process runs as its user already: only its own ids may change its limits
                    sys.prlimitAs(user.uid(), user.gid(), pid, resource, limit.soft(), limit.hard());
                }
            } catch (SyscallException e) {
                throw new BerthException("cannot set " + limit.type() + " to " + limit.soft() + ":" + limit.hard()
                        + (e.errno() == Errno.EPERM ? ": above the hard limit berth has, which only CAP_SYS_RESOURCE may raise"
                        : ": " + e.getMessage()), e);
            }
        }
    }

    /** The highest capability number the kernel knows; read before the thread leaves the host's /proc. */
    int lastCapability() {
        try {
            return Integer.parseInt(sys.read("/proc/sys/kernel/cap_last_cap").trim());
        } catch (RuntimeException e) {
            return 40;
        }
    }

    /** A start failure as the user should read it: a missing or unexecutable command gets 127 or 126. */
    static BerthException startFailure(ProcessSpec process, Throwable failure) {
        if (failure instanceof SyscallException se && se.call().equals("posix_spawn")) {
            String command = process.args().getFirst();
            return switch (se.errno()) {
                case Errno.ENOENT -> new BerthException(BerthException.NOT_FOUND,
                        "exec: \"" + command + "\": no such file or directory", se);
                case Errno.EACCES -> new BerthException(BerthException.NOT_EXECUTABLE,
                        "exec: \"" + command + "\": permission denied", se);
                case Errno.ENOEXEC -> new BerthException(BerthException.NOT_EXECUTABLE,
                        "exec: \"" + command + "\": exec format error", se);
                default -> new BerthException(BerthException.NOT_EXECUTABLE,
                        "exec: \"" + command + "\": " + Errno.name(se.errno()), se);
            };
        }
        if (failure instanceof SyscallException se) {
            return new BerthException("cannot start container: " + se.getMessage(), se);
        }
        if (failure instanceof BerthException be) {
            return be;
        }
        return new BerthException("cannot start container: " + failure.getMessage(), failure);
    }

    static void joinQuietly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
