package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.state.PortMapping;

import java.util.ArrayList;
import java.util.List;

/**
 * Docker's {@code -p [hostIP:][hostPort:]containerPort[/tcp|udp]}, ranges included ({@code 8000-8002:80-82});
 * without a host port (or with an empty one) the host port is 0: any free one, chosen at creation.
 */
public final class PortSpecs {
    private PortSpecs() {}

    public static List<PortMapping> parse(String spec) {
        String protocol = "tcp";
        String rest = spec;
        int slash = spec.lastIndexOf('/');
        if (slash >= 0) {
            protocol = spec.substring(slash + 1);
            rest = spec.substring(0, slash);
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw bad(spec, "the protocol must be tcp or udp");
            }
        }
        String[] parts = rest.split(":");
        String hostIp = null;
        String hostPorts;
        String containerPorts;
        if (parts.length == 3) {
            hostIp = parts[0].isEmpty() ? null : Subnet.parseAddress(parts[0]).getHostAddress();
            hostPorts = parts[1];
            containerPorts = parts[2];
        } else if (parts.length == 2) {
            hostPorts = parts[0];
            containerPorts = parts[1];
        } else if (parts.length == 1) {
            hostPorts = "";
            containerPorts = parts[0];
        } else {
            throw bad(spec, "expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]");
        }
        int[] container = range(spec, containerPorts);
        if (hostPorts.isEmpty()) {
            List<PortMapping> any = new ArrayList<>();
            for (int port = container[0]; port <= container[1]; port++) {
                any.add(new PortMapping("0.0.0.0".equals(hostIp) ? null : hostIp, 0, port, protocol));
            }
            return any;
        }
        int[] host = range(spec, hostPorts);
        if (host[1] - host[0] != container[1] - container[0]) {
            throw bad(spec, "the host and container port ranges have different sizes");
        }
        List<PortMapping> mappings = new ArrayList<>();
        for (int i = 0; i <= host[1] - host[0]; i++) {
            mappings.add(new PortMapping("0.0.0.0".equals(hostIp) ? null : hostIp, host[0] + i, container[0] + i, protocol));
        }
        return mappings;
    }

    private static int[] range(String spec, String text) {
        String[] ends = text.split("-", -1);
        if (ends.length > 2) {
            throw bad(spec, "bad port range '" + text + "'");
        }
        int low = port(spec, ends[0]);
        int high = ends.length == 2 ? port(spec, ends[1]) : low;
        if (high < low) {
            throw bad(spec, "bad port range '" + text + "'");
        }
        return new int[] {low, high};
    }

    private static int port(String spec, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(spec, "'" + text + "' is not a port number (1-65535)");
    }

    private static BerthException bad(String spec, String why) {
        return new BerthException("invalid port publication '" + spec + "': " + why);
    }
}
