package dev.berth.image;


/** What a pull tells while it runs (a terminal draws it; -q and pipes see only the end). */
public interface PullProgress {
    PullProgress QUIET = new PullProgress() {};

    default void resolved(String reference, Digest manifest) {}

    /** A layer the store already has. */
    default void layerExists(Digest layer) {}

    default void layerStarted(Digest layer, long size) {}

    /** Called as bytes of a layer arrive (total so far). */
    default void layerBytes(Digest layer, long received) {}

    default void layerDone(Digest layer) {}
}
