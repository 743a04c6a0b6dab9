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
