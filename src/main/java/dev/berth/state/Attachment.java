package dev.berth.state;

/**
 * A container's place on a network, as recorded before any kernel object is made (so a crash in the
 * middle can always be cleaned up from it).
 *
 * @param namespacePath the pin of the container's network namespace under berth's run root
 * @param visiblePath   the same namespace under /run/netns, for {@code ip netns}
 * @param hostInterface the host end of the container's veth pair
 */
public record Attachment(String network, String driver, String ipAddress, int prefixLength, String gateway,
                         String hostInterface, String containerInterface, int mtu, String namespacePath,
                         String visiblePath, String bridge) {}
