package dev.berth.volume;

import java.util.List;

/**
 * One mount a user asks for ({@code -v}, {@code --mount}, {@code --tmpfs}), parsed but not yet checked
 * against the host: {@link MountSyntax} makes these from Docker's syntax.
 *
 * @param source       a host path (bind), a volume name (volume; null for an anonymous one), null for tmpfs
 * @param target       the absolute path inside the container
 * @param propagation  rprivate, rslave, rshared, … (binds only); null for Docker's default, rprivate
 * @param noCopy       a new volume is not filled with what the image has at the target
 * @param tmpfsOptions tmpfs mount options (size=…, mode=…, exec…)
 * @param createSource a missing bind source is created ({@code -v}) rather than refused ({@code --mount})
 */
public record MountRequest(Type type, String source, String target, boolean readonly, String propagation,
                           boolean noCopy, List<String> tmpfsOptions, boolean createSource) {
    public enum Type { BIND, VOLUME, TMPFS }

    public MountRequest {
        tmpfsOptions = tmpfsOptions == null ? List.of() : List.copyOf(tmpfsOptions);
    }

    public static MountRequest bind(String source, String target, boolean readonly) {
        return new MountRequest(Type.BIND, source, target, readonly, null, false, List.of(), false);
    }

    public static MountRequest volume(String name, String target, boolean readonly) {
        return new MountRequest(Type.VOLUME, name, target, readonly, null, false, List.of(), false);
    }

    public static MountRequest tmpfs(String target, List<String> options) {
        return new MountRequest(Type.TMPFS, null, target, false, null, false, options, false);
    }
}
