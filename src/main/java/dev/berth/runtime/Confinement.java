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
}
