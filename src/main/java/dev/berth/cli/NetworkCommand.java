package dev.berth.cli;

import dev.berth.network.NetworkRecord;
import dev.berth.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code berth network create|ls|inspect|rm}. */
@Command(name = "network", mixinStandardHelpOptions = true, description = "Manage networks.",
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class,
                NetworkCommand.Rm.class, NetworkCommand.Connect.class, NetworkCommand.Disconnect.class})
final class NetworkCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a network.")
    static final class Create implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-d", "--driver"}, defaultValue = "bridge", description = "bridge (default) or veth.")
        String driver;

        @Option(names = "--subnet", paramLabel = "CIDR", description = "e.g. 10.77.0.0/24 (default: a free private one).")
        String subnet;

        @Option(names = "--gateway", paramLabel = "ADDRESS", description = "Default: the subnet's first address.")
        String gateway;

        @Option(names = "--mtu", description = "Default: the MTU of the host's uplink.")
        Integer mtu;

        @Option(names = "--internal", description = "No traffic leaves the network, nor enters it from outside.")
        boolean internal;

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set a label.")
        List<String> labels = new java.util.ArrayList<>();

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            NetworkRecord record = Main.berth(spec).createNetwork(name, driver, subnet, gateway, mtu, internal,
                    RunCommand.labels(labels));
            spec.commandLine().getOut().println(record.id());
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List networks.")
    static final class Ls implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            Table table = new Table("NETWORK ID", "NAME", "DRIVER", "SUBNET", "GATEWAY", "BRIDGE");
            for (NetworkRecord n : Main.berth(spec).listNetworks()) {
                table.add(n.id().substring(0, 12), n.name(), n.driver(), n.subnet(), n.gateway(),
                        n.bridge() == null ? "-" : n.bridge());
            }
            table.print(spec.commandLine().getOut());
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show networks as JSON.")
    static final class Inspect implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Override
        public void run() {
            var berth = Main.berth(spec);
            List<Map<String, Object>> out = names.stream().map(name -> {
                NetworkRecord n = berth.network(name);
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("Name", n.name());
                view.put("Id", n.id());
                view.put("Created", n.created());
                view.put("Driver", n.driver());
                view.put("Subnet", n.subnet());
                view.put("Gateway", n.gateway());
                view.put("MTU", n.mtu());
                view.put("Bridge", n.bridge());
                view.put("Internal", n.internal());
                view.put("Labels", n.labels());
                view.put("Containers", berth.containersOn(n.name()));
                view.put("Firewall", berth.firewallRulesOf(n.name()));
                return view;
            }).toList();
            spec.commandLine().getOut().println(Json.render(out));
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "connect", mixinStandardHelpOptions = true,
            description = "Put a running container on one more network (its next interface, eth1, eth2…).")
    static final class Connect implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--ip", paramLabel = "ADDRESS", description = "Its address there (default: the lowest free one).")
        String ip;

        @Option(names = "--alias", paramLabel = "NAME", description = "One more name for it (on user-defined networks).")
        List<String> aliases = new java.util.ArrayList<>();

        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;

        @Parameters(index = "1", paramLabel = "CONTAINER")
        String container;

        @Override
        public void run() {
            Main.berth(spec).connect(network, container, ip, aliases);
        }
    }

    @Command(name = "disconnect", mixinStandardHelpOptions = true,
            description = "Take a container off a network it joined with connect.")
    static final class Disconnect implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;

        @Parameters(index = "1", paramLabel = "CONTAINER")
        String container;

        @Override
        public void run() {
            Main.berth(spec).disconnect(network, container);
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove networks no container uses.")
    static final class Rm implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Override
        public void run() {
            for (String name : names) {
                Main.berth(spec).removeNetwork(name);
                spec.commandLine().getOut().println(name);
            }
            spec.commandLine().getOut().flush();
        }
    }
}
