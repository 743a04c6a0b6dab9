package dev.berth.state;

/**
 * One published port: hostIp (null: every address of the host) and hostPort forwarded to the
 * container's containerPort, for protocol "tcp" or "udp".
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
    @Override
    public String toString() {
        return containerPort + "/" + protocol + " -> " + (hostIp == null ? "0.0.0.0" : hostIp) + ":" + hostPort;
    }

    /** True when both would receive the same packets. */
    public boolean clashesWith(PortMapping other) {
        return hostPort == other.hostPort && protocol.equals(other.protocol)
                && (hostIp == null || other.hostIp == null || hostIp.equals(other.hostIp));
    }
}
