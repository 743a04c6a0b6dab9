package dev.berth.nftables;

/**
 * The libnftables call: one JSON batch in, applied as one transaction, its JSON output back.
 * {@link Libnftables} is the library through FFM; tests give a recording one.
 */
public interface Nftables {
    /** Runs batch; a failure throws {@link Libnftables.NftablesException} with libnftables' own words. */
    String run(String batch);

    /** libnftables itself, a context per call (the library is loaded once). */
    Nftables LIBRARY = new Nftables() {
        @Override
        public String run(String batch) {
            try (Libnftables nft = new Libnftables()) {
                return nft.run(batch);
            }
        }

        @Override
        public boolean available() {
            return Libnftables.available();
        }
    };

    /** Whether the library could be loaded at all. */
    boolean available();
}
