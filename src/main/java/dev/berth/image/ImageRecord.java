package dev.berth.image;

import java.util.List;

/**
 * A local image: a root filesystem directory plus the defaults a container of it starts with.
 *
 * @param source  where it came from ("busybox-static /bin/busybox", a tar file's path)
 * @param command the default command (Docker's CMD), empty when the image has none
 */
public record ImageRecord(String name, String created, String source, List<String> command, List<String> env,
                          String workingDir) {
    public ImageRecord {
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? List.of() : List.copyOf(env);
    }
}
