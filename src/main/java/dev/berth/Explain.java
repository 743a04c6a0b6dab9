package dev.berth;

/**
 * Receives each kernel operation berth performs, rendered as the equivalent command of the tutorial
 * ({@code ip netns add …}, {@code ip link add …}); {@code --explain} prints them. The rendering lives
 * next to each operation.
 */
@FunctionalInterface
public interface Explain {
    Explain NONE = command -> { };

    void say(String command);
}
