package dev.berth.state;

/**
 * One of a container's mounts as {@code inspect} shows it (Docker's {@code Mounts} entries) and as
 * {@code --volumes-from}, {@code rm -v} and the volume commands need it.
 *
 * @param type        bind, volume or tmpfs
 * @param name        the volume's name (volumes only)
 * @param source      the host path mounted (a bind's source, a volume's _data), null for tmpfs
 * @param propagation rprivate, rslave, rshared… (binds and volumes)
 * @param anonymous   a volume made for this container alone
 */
public record MountPoint(String type, String name, String source, String destination, boolean readOnly,
                         String propagation, boolean anonymous) {
    public boolean isVolume() {
        return "volume".equals(type);
    }
}
