package dev.berth.api;

import dev.berth.spec.ResourcesSpec;

import java.util.List;

/**
 * What a user asks of {@code berth run}, before it is checked and converted into a container spec.
 *
 * @param image   an image name, or null when {@code rootfs} is given
 * @param rootfs  an absolute directory to run as the container's root (the seed's my_container), or null
 * @param command the command and its arguments; empty for the image's default
 * @param network "none" (own namespace, only lo), "host", "container:NAME", or a network's name
 * @param ip      a static address on that network, or null for the next free one
 * @param publish -p specs: [hostIP:]hostPort:containerPort[/protocol]
 * @param dns     resolv.conf overrides (--dns, --dns-search, --dns-option), empty for the host's
 * @param addHosts --add-host NAME:IP entries (IP may be host-gateway)
 * @param restart the restart policy: no, on-failure[:N], always, unless-stopped
 * @param detach  started by the supervisor, in the background
 */
public record RunOptions(
        String image,
        String rootfs,
        List<String> command,
        String name,
        String hostname,
        List<String> env,
        String workdir,
        String user,
        boolean tty,
        boolean interactive,
        boolean autoRemove,
        String network,
        String ip,
        boolean readOnly,
        List<String> publish,
        Dns dns,
        List<String> addHosts,
        ResourcesSpec resources,
        Integer oomScoreAdj,
        String restart,
        boolean detach,
        List<String> aliases) {

    public RunOptions {
        command = List.copyOf(command);
        env = List.copyOf(env);
        publish = List.copyOf(publish);
        addHosts = List.copyOf(addHosts);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    /** --dns, --dns-search, --dns-option. */
    public record Dns(List<String> servers, List<String> search, List<String> options) {
        public static final Dns HOST = new Dns(List.of(), List.of(), List.of());

        public Dns {
            servers = List.copyOf(servers);
            search = List.copyOf(search);
            options = List.copyOf(options);
        }
    }

    /** The options of {@code berth run IMAGE COMMAND...} with everything else at its default. */
    public static RunOptions of(String image, List<String> command) {
        return new RunOptions(image, null, command, null, null, List.of(), null, null, false, false, false, "none", null, false, List.of(),
                Dns.HOST, List.of(), ResourcesSpec.NONE, null, "no", false, List.of());
    }
}
