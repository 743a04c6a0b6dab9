package dev.berth.api;

import dev.berth.BerthException;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/** Container ids (64 hex digits, like Docker's) and names, given or generated. */
final class Names {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    private static final List<String> ADJECTIVES = List.of("brave", "calm", "eager", "fond", "gentle", "happy",
            "jolly", "keen", "lucid", "merry", "nimble", "proud", "quiet", "rapid", "sharp", "tidy", "vivid", "witty");
    private static final List<String> NOUNS = List.of("anchor", "beacon", "buoy", "cargo", "dock", "ferry", "harbor",
            "hull", "keel", "mast", "pier", "quay", "rudder", "sail", "skiff", "tug", "wharf", "yacht");

    private Names() {}

    static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String generate() {
        return ADJECTIVES.get(RANDOM.nextInt(ADJECTIVES.size())) + "_" + NOUNS.get(RANDOM.nextInt(NOUNS.size()))
                + "_" + (100 + RANDOM.nextInt(900));
    }

    static boolean isValid(String name) {
        return VALID.matcher(name).matches();
    }

    /** name as it may appear in a one-line message: control characters shown escaped, never raw. */
    static String printable(String name) {
        return BerthException.printable(name);
    }
}
