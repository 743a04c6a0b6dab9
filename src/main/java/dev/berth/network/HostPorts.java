package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.state.PortMapping;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether a process of the host already holds a port berth is asked to publish: published ports are
 * kernel DNAT rules, not sockets, so a host service listening there would silently lose its traffic.
 */
public final class HostPorts {
    private HostPorts() {}

    /**
     * A port of the host that no process holds, as the kernel picks it for a socket bound to port 0 (from
     * its ephemeral range, as Docker's are), and that taken (other containers' publications) does not hold.
     */
    public static int anyFree(PortMapping mapping, java.util.function.IntPredicate taken) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try {
                if (mapping.protocol().equals("udp")) {
                    try (DatagramSocket socket = new DatagramSocket(null)) {
                        socket.bind(address(mapping, 0));
                        port = socket.getLocalPort();
                    }
                } else {
                    try (ServerSocket socket = new ServerSocket()) {
                        socket.bind(address(mapping, 0));
                        port = socket.getLocalPort();
                    }
                }
            } catch (IOException e) {
                throw new BerthException("cannot find a free host port for " + mapping.containerPort() + "/"
                        + mapping.protocol() + ": " + e.getMessage());
            }
            if (!taken.test(port)) {
                return port;
            }
        }
        throw new BerthException("cannot find a free host port for " + mapping.containerPort() + "/" + mapping.protocol());
    }

    private static InetSocketAddress address(PortMapping mapping, int port) {
        return mapping.hostIp() == null ? new InetSocketAddress(port)
                : new InetSocketAddress(Subnet.parseAddress(mapping.hostIp()), port);
    }

    public static void checkFree(PortMapping mapping) {
        InetSocketAddress address = mapping.hostIp() == null
                ? new InetSocketAddress(mapping.hostPort())
                : new InetSocketAddress(Subnet.parseAddress(mapping.hostIp()), mapping.hostPort());
        try {
            if (mapping.protocol().equals("udp")) {
                try (DatagramSocket socket = new DatagramSocket(null)) {
                    socket.bind(address);
                }
            } else {
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(address);
                }
            }
        } catch (IOException e) {
            throw new BerthException("cannot publish " + mapping + ": the host's port is in use by another process ("
                    + e.getMessage() + ")");
        }
    }
}
