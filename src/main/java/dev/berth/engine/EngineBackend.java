package dev.berth.engine;

import dev.berth.api.Berth;
import dev.berth.api.Container;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the Engine API needs from the supervisor that serves it: containers started under its watch
 * (their output into their log, their exit recorded), their output as it arrives, and their exits.
 */
public interface EngineBackend {
    Berth berth();

    /** Starts a created container detached, under supervision; returns its id. */
    String start(Container created);

    /** Starts an exited container again; returns its id. */
    String restart(String nameOrId);

    /** Stops a running container: its stop signal, then SIGKILL after timeoutSeconds. */
    void stop(String nameOrId, int timeoutSeconds);

    /**
     * Calls line with each line the container writes from now on, and ended once it has ended and its
     * output is drained. Closing the handle stops the calls.
     */
    AutoCloseable follow(String id, java.util.function.BiConsumer<dev.berth.state.ContainerLog.Stream, String> line,
                         Runnable ended);

    /** Completes with the exit code (null when unknown) the next time the container ends and is recorded. */
    CompletableFuture<Integer> nextExit(String id);

    /** Calls listener with every container's end once recorded: its record (null if unknown) and exit code. */
    void onExit(java.util.function.BiConsumer<dev.berth.state.ContainerRecord, Integer> listener);
}
