package dev.berth.api;

/** Which network namespace a container's process lives in. */
sealed interface NetworkPlacement {
    /** A fresh namespace with only lo (--network none). */
    record Own() implements NetworkPlacement {}

    /** The namespace berth runs in (--network host). */
    record Host() implements NetworkPlacement {}

    /** An existing namespace: a network's pinned one, or another container's (container:NAME). */
    record Join(String path) implements NetworkPlacement {}
}
