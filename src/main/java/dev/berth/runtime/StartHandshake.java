package dev.berth.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the spawner thread tells the helper thread while a container starts, as named steps:
 *
 * <pre>
 *   spawner                                   helper
 *   inNamespaces(tid, mount namespace fd) ─┐
 *   identityTaken()  ──────────────────────┼─▶ awaitSpawning(): mounts /proc, releases the child
 *   spawned(pid) | failed(cause)  ─────────┘   (spawnEnded() tells it nobody waits any more)
 * </pre>
 *
 * A failure before the identity is taken ends the wait too, so the helper never waits for a spawn that
 * will not come.
 */
final class StartHandshake {
    /** How the spawner thread's work ended. */
    sealed interface Outcome {
        record Spawned(int pid) implements Outcome {}

        record Failed(Throwable cause) implements Outcome {}
    }

    private final CountDownLatch spawning = new CountDownLatch(1);
    private volatile int spawnerTid = -1;
    private volatile int mountNamespaceFd = -1;
    private volatile Terminal terminal;
    private volatile Outcome outcome;
    private volatile boolean handedOver;

    /** The spawner has its own namespaces; its mount namespace is held open by fd. */
    void inNamespaces(int tid, int mountNsFd) {
        spawnerTid = tid;
        mountNamespaceFd = mountNsFd;
    }

    void terminalOpened(Terminal t) {
        terminal = t;
    }

    /** The spawner is about to spawn: from now on the child may appear at any moment. */
    void identityTaken() {
        spawning.countDown();
    }

    /**
     * The creating JVM returned the held process (an OCI create): whatever the spawner learns after this,
     * nobody waits for it, and the JVM may be gone.
     */
    void handOver() {
        handedOver = true;
    }

    boolean handedOver() {
        return handedOver;
    }

    void spawned(int pid) {
        end(new Outcome.Spawned(pid));
    }

    void failed(Throwable cause) {
        end(new Outcome.Failed(cause));
    }

    private void end(Outcome o) {
        outcome = o;
        spawning.countDown();
    }

    /** Waits until the spawner spawns (true) or has ended without a child to release (false). */
    boolean awaitSpawning(long timeoutNanos) throws InterruptedException {
        return spawning.await(timeoutNanos, TimeUnit.NANOSECONDS) && outcome == null;
    }

    /** True once posix_spawn has returned, or the spawner gave up: nothing waits for the helper then. */
    boolean spawnEnded() {
        return outcome != null;
    }

    int spawnerTid() {
        return spawnerTid;
    }

    int mountNamespaceFd() {
        return mountNamespaceFd;
    }

    Terminal terminal() {
        return terminal;
    }

    Outcome outcome() {
        return outcome;
    }
}
