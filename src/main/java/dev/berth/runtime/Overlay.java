package dev.berth.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The layers of a container's root: read-only lower directories (the image, top first) and the
 * container's own writable upper directory, merged by overlayfs so the image never changes.
 */
public record Overlay(List<Path> lowerDirs, Path upperDir, Path workDir) {
    public Overlay {
        lowerDirs = List.copyOf(lowerDirs);
        if (lowerDirs.isEmpty()) {
            throw new IllegalArgumentException("an overlay needs at least one lower directory");
        }
    }

    /** The overlay mount's data string. */
    String mountData() {
        String lower = lowerDirs.stream().map(p -> escape(p.toString())).collect(Collectors.joining(":"));
        return "lowerdir=" + lower + ",upperdir=" + escape(upperDir.toString()) + ",workdir=" + escape(workDir.toString());
    }

    private static String escape(String path) {
        if (path.contains(",") || path.contains(":")) {
            throw new IllegalArgumentException("overlay layer paths cannot contain ',' or ':': " + path);
        }
        return path;
    }
}
