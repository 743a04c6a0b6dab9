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

    /**
     * Starts a created container detached, under supervision, with a terminal when its spec has one and
     * a pipe as its stdin when openStdin; returns its id.
     */
    String start(Container created, boolean openStdin);

    /** Writes to a started container's stdin pipe. */
    void writeStdin(String id, byte[] bytes, int length);

    /** Whether the container runs with a stdin pipe (open or already closed). */
    boolean hasStdin(String id);

    /** Closes the container's stdin: it reads end of file (docker run -i, when the client's input ends). */
    void closeStdin(String id);

    /** Sets the window size of a running container's terminal. */
    void resize(String id, int rows, int columns);

    /** Starts an exited container again; returns its id. */
    String restart(String nameOrId);

    /** Stops a running container: its stop signal, then SIGKILL after timeoutSeconds. */
    void stop(String nameOrId, int timeoutSeconds);

    /**
     * Calls output with what the container writes from now on, as it is read, and ended once it has
     * ended and its output is drained. Closing the handle stops the calls.
     */
    AutoCloseable follow(String id, java.util.function.BiConsumer<dev.berth.state.ContainerLog.Stream, byte[]> output,
                         Runnable ended);

    /** Completes with the exit code (null when unknown) the next time the container ends and is recorded. */
    CompletableFuture<Integer> nextExit(String id);

    /** Calls listener with every container's end once recorded: its record (null if unknown) and exit code. */
    void onExit(java.util.function.BiConsumer<dev.berth.state.ContainerRecord, Integer> listener);
}
