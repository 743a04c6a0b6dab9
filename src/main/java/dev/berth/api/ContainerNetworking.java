package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.Explain;
import dev.berth.network.HostPorts;
import dev.berth.network.NetworkRecord;
import dev.berth.network.Networks;
import dev.berth.network.PortSpecs;
import dev.berth.network.ResolvConf;
import dev.berth.network.Subnet;
import dev.berth.network.Sysctl;
import dev.berth.nftables.Firewall;
import dev.berth.nftables.FirewallPlan;
import dev.berth.spec.NetworkMode;
import dev.berth.state.Attachment;
import dev.berth.state.ContainerRecord;
import dev.berth.state.ContainerStore;
import dev.berth.state.PortMapping;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's networking, from its options to the kernel: where its process lives, its address and
 * ports, its /etc/resolv.conf and /etc/hosts, the wiring, the teardown, and berth's firewall table, which
 * is derived from the networks and the live containers' ports.
 */
final class ContainerNetworking {
    private final Networks networks;
    private final ContainerStore containers;
    private final Firewall firewall;
    private final Explain explain;

    ContainerNetworking(Networks networks, ContainerStore containers, Firewall firewall, Explain explain) {
        this.networks = networks;
        this.containers = containers;
        this.firewall = firewall;
        this.explain = explain;
    }

    /** Where a new container's process lives and, on one of berth's networks, its reserved place there. */
    record Endpoint(NetworkPlacement placement, Attachment attachment) {}

    /** Decides the endpoint of a new container (under the containers lock): reserves its address. */
    Endpoint plan(RunOptions.Network options, String id, String name) {
        NetworkMode mode = options.parsedMode();
        if (options.ip() != null && !(mode instanceof NetworkMode.Attached)) {
            throw new BerthException("--ip needs a bridge or veth network, not --network " + mode.text());
        }
        if (!options.aliases().isEmpty() && !Berth.resolvesContainerNames(options)) {
            throw new BerthException("--network-alias is only for containers on user-defined networks, not --network "
                    + mode.text());
        }
        return switch (mode) {
            case NetworkMode.None none -> new Endpoint(new NetworkPlacement.Own(), null);
            case NetworkMode.Host host -> new Endpoint(new NetworkPlacement.Host(), null);
            case NetworkMode.Container other -> new Endpoint(new NetworkPlacement.Join(namespaceOf(containers.find(other.target()))), null);
            case NetworkMode.Attached attached -> {
                Attachment a = networks.plan(attached.network(), id, name, options.ip());
                yield new Endpoint(new NetworkPlacement.Join(a.namespacePath()), a);
            }
        };
    }

    /** An exited container's attachment for its next start: the same address when it is still free. */
    Attachment replan(ContainerRecord record) {
        Attachment before = record.attachment();
        if (before == null) {
            return null;
        }
        try {
            return networks.plan(before.network(), record.id(), record.name(), before.ipAddress());
        } catch (BerthException taken) {
            return networks.plan(before.network(), record.id(), record.name(), null);
        }
    }

    /** The networks an exited container joined, planned again on its new namespace (the same addresses when free). */
    List<Attachment> replanJoined(ContainerRecord record, Attachment primary) {
        List<Attachment> again = new ArrayList<>();
        if (primary == null) {
            return again;
        }
        for (Attachment before : record.network().joined()) {
            try {
                again.add(networks.planJoin(before.network(), record.id(), primary, before.containerInterface(), before.ipAddress()));
            } catch (BerthException taken) {
                again.add(networks.planJoin(before.network(), record.id(), primary, before.containerInterface(), null));
            }
        }
        return again;
    }

    /**
     * Puts a container on one more network (under the containers lock): an address there, its next
     * interface, wired at once when its namespace exists (created or running), aliases added to its
     * names. Returns the record as it is now.
     */
    ContainerRecord connect(ContainerRecord record, String network, String ip, List<String> aliases) {
        Attachment primary = record.attachment();
        if (primary == null) {
            throw new BerthException("container " + record.name() + " uses --network " + record.networkMode()
                    + ": it cannot join other networks");
        }
        if (record.status() == ContainerRecord.Status.EXITED) {
            throw new BerthException("container " + record.name() + " is not running: start it, then connect it");
        }
        NetworkRecord target = networks.get(network);
        if (record.attachments().stream().anyMatch(a -> a.network().equals(target.name()))) {
            throw new BerthException("container " + record.name() + " is already on network " + target.name());
        }
        Attachment joined = networks.planJoin(target.name(), record.id(), primary, nextInterface(record), ip);
        List<Attachment> all = new ArrayList<>(record.network().joined());
        all.add(joined);
        List<String> names = new ArrayList<>(record.aliases());
        aliases.stream().map(a -> a.toLowerCase(java.util.Locale.ROOT)).filter(a -> !names.contains(a)).forEach(names::add);
        try {
            networks.join(joined, label(record));
        } catch (RuntimeException e) {
            networks.leave(joined, record.id());
            throw e;
        }
        ContainerRecord now = record.withJoined(all, names);
        containers.update(now);
        syncFirewall();
        return now;
    }

    /** Takes a container off a network it joined (under the containers lock); returns the record as it is now. */
    ContainerRecord disconnect(ContainerRecord record, String network) {
        if (record.attachment() != null && record.attachment().network().equals(network)) {
            throw new BerthException("container " + record.name() + " was created on network " + network
                    + ": berth keeps it there (it can leave the networks it joined later)");
        }
        Attachment joined = record.network().joined().stream().filter(a -> a.network().equals(network)).findFirst()
                .orElseThrow(() -> new BerthException("container " + record.name() + " is not on network " + network));
        networks.leave(joined, record.id());
        ContainerRecord now = record.withJoined(record.network().joined().stream().filter(a -> a != joined).toList(),
                record.aliases());
        containers.update(now);
        syncFirewall();
        return now;
    }

    /** The lowest ethN (N ≥ 1) none of its attachments uses. */
    private static String nextInterface(ContainerRecord record) {
        for (int n = 1; ; n++) {
            String name = "eth" + n;
            if (record.attachments().stream().noneMatch(a -> a.containerInterface().equals(name))) {
                return name;
            }
        }
    }

    /** The network namespace of a running container, for --network container:NAME. */
    private static String namespaceOf(ContainerRecord target) {
        if (target.status() != ContainerRecord.Status.RUNNING) {
            throw new BerthException("cannot join the network of container " + target.name() + ": it is not running");
        }
        if (target.attachment() != null) {
            return target.attachment().namespacePath();
        }
        if ("host".equals(target.networkMode())) {
            throw new BerthException("cannot join the network of container " + target.name() + ": it uses the host's");
        }
        return "/proc/" + target.pid() + "/ns/net";
    }

    /**
     * The -p publications of a new container, refused when another live container publishes the same
     * address, port and protocol, or when a process of the host already listens there.
     */
    /** Host port 0 (-p 80, -P) becomes a free port that no process and no other container holds. */
    private List<PortMapping> withHostPorts(List<PortMapping> ports) {
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (ContainerRecord other : containers.list()) {
            other.ports().forEach(p -> taken.add(p.hostPort() + "/" + p.protocol()));
        }
        ports.forEach(p -> taken.add(p.hostPort() + "/" + p.protocol()));
        List<PortMapping> resolved = new java.util.ArrayList<>();
        for (PortMapping p : ports) {
            if (p.hostPort() != 0) {
                resolved.add(p);
                continue;
            }
            int port = HostPorts.anyFree(p, candidate -> taken.contains(candidate + "/" + p.protocol()));
            taken.add(port + "/" + p.protocol());
            resolved.add(new PortMapping(p.hostIp(), port, p.containerPort(), p.protocol()));
        }
        return resolved;
    }

    List<PortMapping> publications(RunOptions.Network options, List<String> exposedPorts) {
        List<String> specs = new java.util.ArrayList<>(options.publish());
        if (options.publishAll()) {
            specs.addAll(exposedPorts); // "80/tcp": on any free host port
        }
        List<PortMapping> ports = specs.stream().flatMap(p -> PortSpecs.parse(p).stream()).toList();
        if (ports.isEmpty()) {
            return ports;
        }
        NetworkMode mode = options.parsedMode();
        if (!(mode instanceof NetworkMode.Attached)) {
            throw new BerthException("publishing ports needs a bridge or veth network, not --network " + mode.text());
        }
        ports = withHostPorts(ports);
        for (int i = 0; i < ports.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (ports.get(i).clashesWith(ports.get(j))) {
                    throw new BerthException("port " + ports.get(i).hostPort() + "/" + ports.get(i).protocol() + " is published twice");
                }
            }
        }
        for (ContainerRecord other : containers.list()) {
            if (other.status() == ContainerRecord.Status.EXITED) {
                continue;
            }
            for (PortMapping theirs : other.ports()) {
                for (PortMapping mine : ports) {
                    if (mine.clashesWith(theirs)) {
                        throw new BerthException("port " + mine.hostPort() + "/" + mine.protocol()
                                + " is already published by container " + other.name() + " (" + theirs + ")");
                    }
                }
            }
        }
        ports.forEach(HostPorts::checkFree);
        return ports;
    }

    /**
     * Writes the container's /etc/resolv.conf (and, in a namespace of its own, /etc/hostname and
     * /etc/hosts) into its writable layer: the host's resolvers unless overridden; on a user-defined
     * network the gateway, where the supervisor answers for container names.
     */
    void writeEtcFiles(Path upper, String hostname, RunOptions.Network options, Endpoint endpoint) {
        Attachment attachment = endpoint.attachment();
        List<String> servers = options.dns().servers();
        if (servers.isEmpty() && attachment != null && Networks.hasNameService(networks.get(attachment.network()))) {
            servers = List.of(attachment.gateway());
        }
        boolean host = endpoint.placement() instanceof NetworkPlacement.Host;
        String resolvConf = ResolvConf.forContainer(ResolvConf.read(ResolvConf.HOST), ResolvConf.read(ResolvConf.SYSTEMD_UPSTREAMS),
                host, servers, options.dns().search(), options.dns().options());
        String extraHosts = extraHosts(options.addHosts(), attachment);
        try {
            Path etc = Files.createDirectories(upper.resolve("etc"));
            Files.writeString(etc.resolve("resolv.conf"), resolvConf);
            if (host) {
                return; // --network host: the image's own hostname and hosts files
            }
            Files.writeString(etc.resolve("hostname"), hostname + "\n");
            Files.writeString(etc.resolve("hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                    + (attachment != null ? attachment.ipAddress() + "\t" + hostname + "\n" : "") + extraHosts);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the container's /etc files", e);
        }
    }

    /** /etc/hosts lines for --add-host NAME:IP; host-gateway is the host's address on the network. */
    static String extraHosts(List<String> addHosts, Attachment attachment) {
        StringBuilder lines = new StringBuilder();
        for (String entry : addHosts) {
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new BerthException("invalid --add-host '" + entry + "': expected NAME:IP");
            }
            String ip = entry.substring(colon + 1);
            if (ip.equals("host-gateway")) {
                if (attachment == null) {
                    throw new BerthException("--add-host " + entry + " needs a bridge or veth network");
                }
                ip = attachment.gateway();
            } else {
                ip = Subnet.parseAddress(ip).getHostAddress();
            }
            lines.append(ip).append('\t').append(entry, 0, colon).append('\n');
        }
        return lines.toString();
    }

    /** Sets up a recorded container's network, then the firewall rules of its ports. */
    void wire(ContainerRecord record) {
        networks.setUp(record.attachment(), label(record));
        for (Attachment joined : record.network().joined()) {
            networks.join(joined, label(record));
        }
        containers.locked(() -> {
            syncFirewall();
            return null;
        });
    }

    /** Undoes a container's network, whatever part of it exists. */
    void tearDown(ContainerRecord record) {
        for (Attachment joined : record.network().joined()) {
            networks.leave(joined, record.id());
        }
        if (record.attachment() != null) {
            networks.tearDown(record.attachment(), record.id());
        }
    }

    /** Gives back what plan reserved for a container that will never be recorded. */
    void release(String id, Endpoint endpoint) {
        if (endpoint.attachment() != null) {
            networks.release(endpoint.attachment().network(), id);
        }
    }

    /**
     * Puts berth's rules back if something flushed them. With no network and no published port there is
     * nothing to restore, and nothing to pay for: libnftables is not even loaded.
     */
    void restoreFirewall() {
        if (!networks.list().isEmpty()) {
            syncFirewall(Explain.NONE);
        }
    }

    /** As below, explained to this instance's listener. */
    void syncFirewall() {
        syncFirewall(explain);
    }

    /**
     * Makes berth's nftables table match berth's state: networks, and the ports of live containers.
     * Called under the containers lock by every command that reconciles, so a flushed ruleset comes
     * back with the next berth command.
     */
    void syncFirewall(Explain say) {
        List<NetworkRecord> nets = networks.list();
        List<FirewallPlan.Port> ports = new ArrayList<>();
        List<ContainerRecord> live = containers.list().stream()
                .filter(r -> r.status() != ContainerRecord.Status.EXITED && r.attachment() != null).toList();
        for (ContainerRecord r : live) {
            for (PortMapping p : r.ports()) {
                ports.add(new FirewallPlan.Port(p.hostIp(), p.hostPort(), p.protocol(), r.attachment().ipAddress(),
                        p.containerPort(), r.name()));
            }
        }
        FirewallPlan plan = new FirewallPlan(nets.stream()
                .map(n -> new FirewallPlan.Network(n.name(), n.subnet(), n.internal())).toList(), ports);
        firewall.apply(plan, say);
        if (plan.isEmpty()) {
            return;
        }
        if (nets.stream().anyMatch(n -> !n.internal())) {
            Sysctl.set("net.ipv4.ip_forward", "1", say);
        }
        if (!ports.isEmpty()) {
            // lets the host reach ports published on 127.0.0.1: DNAT'ed loopback traffic leaves by these
            for (NetworkRecord n : nets) {
                if (n.bridge() != null) {
                    Sysctl.setIfPresent("net.ipv4.conf." + n.bridge() + ".route_localnet", "1", say);
                }
            }
            for (ContainerRecord r : live) {
                if (r.attachment().bridge() == null) {
                    Sysctl.setIfPresent("net.ipv4.conf." + r.attachment().hostInterface() + ".route_localnet", "1", say);
                }
            }
        }
    }

    /** The comments of the firewall rules berth installed that concern network name. */
    List<String> firewallRulesOf(String name) {
        return firewall.rulesMentioning(name);
    }

    /** How the tutorial's commands name a container's namespace: its pin under /run/netns (berth-NAME). */
    static String label(ContainerRecord record) {
        return java.nio.file.Path.of(record.attachment().visiblePath()).getFileName().toString();
    }
}
