package dev.berth.daemon;

import dev.berth.state.ContainerLog;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * What happens to supervised containers, for those who wait on it (the Engine API's attach and wait):
 * its output as it is read, the end of the output, the exit once recorded.
 */
final class ContainerEvents {
    private record Follower(BiConsumer<ContainerLog.Stream, byte[]> output, Runnable ended) {}

    private final Map<String, Set<Follower>> followers = new ConcurrentHashMap<>();
    private final Map<String, Set<CompletableFuture<Integer>>> exits = new ConcurrentHashMap<>();
    private final java.util.List<java.util.function.BiConsumer<dev.berth.state.ContainerRecord, Integer>> exitListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** listener gets every container's end once recorded: its record as it was (null if unknown), its exit code. */
    void onExit(java.util.function.BiConsumer<dev.berth.state.ContainerRecord, Integer> listener) {
        exitListeners.add(listener);
    }

    AutoCloseable follow(String id, BiConsumer<ContainerLog.Stream, byte[]> output, Runnable ended) {
        Follower follower = new Follower(output, ended);
        followers.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(follower);
        return () -> {
            Set<Follower> set = followers.get(id);
            if (set != null) {
                set.remove(follower);
            }
        };
    }

    CompletableFuture<Integer> nextExit(String id) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        exits.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(exit);
        return exit;
    }

    void output(String id, ContainerLog.Stream stream, byte[] bytes) {
        for (Follower f : followers.getOrDefault(id, Set.of())) {
            try {
                f.output().accept(stream, bytes);
            } catch (RuntimeException gone) {
                followers.get(id).remove(f); // its client went away
            }
        }
    }

    void outputEnded(String id) {
        Set<Follower> ended = followers.remove(id);
        if (ended != null) {
            ended.forEach(f -> f.ended().run());
        }
    }

    void exited(String id, dev.berth.state.ContainerRecord record, Integer exitCode) {
        for (var listener : exitListeners) {
            try {
                listener.accept(record, exitCode);
            } catch (RuntimeException ignored) {
                // a listener's failure is not the container's
            }
        }
        Set<CompletableFuture<Integer>> waiting = exits.remove(id);
        if (waiting != null) {
            waiting.forEach(f -> f.complete(exitCode));
        }
    }
}
