package dev.berth.image;

import dev.berth.BerthException;

import java.util.Map;

/** An image platform: {@code linux/amd64}, {@code linux/arm64/v8}. */
public record Platform(String os, String architecture, String variant) {
    /** The platform of this machine (Go's architecture names, as registries use them). */
    public static final Platform HOST = new Platform("linux", switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> "amd64";
        case "aarch64", "arm64" -> "arm64";
        case "arm" -> "arm";
        case "ppc64le" -> "ppc64le";
        case "s390x" -> "s390x";
        case "riscv64" -> "riscv64";
        default -> System.getProperty("os.arch");
    }, null);

    public Platform {
        variant = variant == null || variant.isEmpty() ? null : variant;
    }

    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new BerthException("invalid platform '" + text + "': use os/architecture[/variant], e.g. linux/amd64");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** An index entry's platform object matches this one (a missing variant matches any, as Docker does). */
    public boolean matches(Map<String, Object> platform) {
        return os.equals(platform.get("os")) && architecture.equals(platform.get("architecture"))
                && (variant == null || variant.equals(platform.get("variant")));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant != null ? "/" + variant : "");
    }
}
