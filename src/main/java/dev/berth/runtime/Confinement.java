package dev.berth.runtime;

/**
 * Where the container's first process is accounted and limited (its control group), supplied by
 * whoever creates the container so the runtime knows nothing of cgroup layouts.
 */
public interface Confinement {
    Confinement NONE = new Confinement() {
        @Override
        public boolean enterCallingThread() {
            return false;
        }

        @Override
        public void addProcess(int pid) {
        }
    };

    /**
     * Moves the calling (spawner) thread in before it creates namespaces, so a cgroup namespace is
     * rooted at the container's group; false when the host cannot move a single thread (cgroup v2).
     */
    boolean enterCallingThread();

    /** Moves the first process in, before it executes a single instruction of the command. */
    void addProcess(int pid);

    /**
     * A group's confinement: the spawner thread joins it where the host can move a thread (then the
     * process is in already: moving it again would only cost time, each cgroup migration waiting for an
     * RCU grace period), else the new process is moved.
     */
    static Confinement of(java.util.function.BooleanSupplier enterThread, java.util.function.IntConsumer addProcess) {
        return new Confinement() {
            private volatile boolean threadJoined;

            @Override
            public boolean enterCallingThread() {
                threadJoined = enterThread.getAsBoolean();
                return threadJoined;
            }

            @Override
            public void addProcess(int pid) {
                if (!threadJoined) {
                    addProcess.accept(pid);
                }
            }
        };
    }
}
