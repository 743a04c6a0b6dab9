package dev.berth.nftables;

import java.util.List;

/**
 * Everything berth's firewall must express, derived from berth's state: its networks and the ports
 * published by running containers. The rules are a pure function of this plan, so they can always be
 * rebuilt (after {@code nft flush ruleset}, a firewalld reload, a reboot).
 */
public record FirewallPlan(List<Network> networks, List<Port> ports) {
    public FirewallPlan {
        networks = List.copyOf(networks);
        ports = List.copyOf(ports);
    }

    /** A berth network: its IPv4 subnet (CIDR) and whether it may reach anything outside itself. */
    public record Network(String name, String subnet, boolean internal) {}

    /**
     * A published port: traffic to hostIp (null: every local address) on hostPort/protocol goes to
     * containerIp:containerPort. owner names the container, for comments and conflicts.
     */
    public record Port(String hostIp, int hostPort, String protocol, String containerIp, int containerPort, String owner) {
        public boolean loopbackOnly() {
            return hostIp != null && hostIp.startsWith("127.");
        }
    }

    public boolean isEmpty() {
        return networks.isEmpty() && ports.isEmpty();
    }
}
