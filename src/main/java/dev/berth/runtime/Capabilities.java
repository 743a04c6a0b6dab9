package dev.berth.runtime;

import java.util.List;

/** Linux capability names (as OCI writes them) and their numbers. */
final class Capabilities {
    private static final List<String> NAMES = dev.berth.spec.CapabilityNames.ALL;

    private Capabilities() {}

    /** The capability numbers as a bit mask; an unknown name is an error. */
    static long mask(List<String> names) {
        long mask = 0;
        for (String name : names) {
            int number = NAMES.indexOf(name);
            if (number < 0) {
                throw new IllegalArgumentException("unknown capability " + name);
            }
            mask |= 1L << number;
        }
        return mask;
    }
}
