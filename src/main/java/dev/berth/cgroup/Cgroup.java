package dev.berth.cgroup;

/** One container's control group, in whichever hierarchy the host has. Knows nothing of containers. */
public interface Cgroup {
    /** Where it lives, for messages (the memory controller's directory on v1). */
    String path();

    /** Writes the limits; a limit the kernel refuses is an error naming the file and value. */
    void apply(Resources resources);

    /**
     * Denies every device but those of allowed, before any process is in the group; returns false where
     * the host offers no way to (cgroup v2 needs a BPF program, not written yet).
     */
    boolean restrictDevices(java.util.List<DeviceRule> allowed);

    /** Moves a whole process (and its future children) into the group. */
    void addProcess(int pid);

    /**
     * Moves the calling thread into the group, so that what it then creates (a cgroup namespace, a
     * process) starts inside it. Only cgroup v1 can move a single thread; returns false elsewhere.
     */
    boolean enterCallingThread();

    Stats stats();

    /** The pids of every process in the group, as this PID namespace sees them. */
    java.util.List<Integer> processes();

    /**
     * Freezes (true) or thaws the group's processes, waiting (bounded) until the kernel reports it done;
     * false where the host has no freezer for the group.
     */
    boolean freeze(boolean frozen);

    /** True when the group is frozen. */
    boolean frozen();

    /** True when the kernel's OOM killer has killed a process of the group. */
    boolean oomKilled();

    /** Removes the group once its processes are gone (waits a little for them; bounded). */
    void destroy();
}
