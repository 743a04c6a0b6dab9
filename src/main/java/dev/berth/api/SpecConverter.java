package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.image.ImageConfig;
import dev.berth.image.ImageRecord;
import dev.berth.spec.CapabilityNames;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.Defaults;
import dev.berth.spec.LinuxSpec;
import dev.berth.spec.MountSpec;
import dev.berth.spec.NamespaceType;
import dev.berth.spec.ProcessSpec;
import dev.berth.spec.SeccompSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one place where run options and an image's defaults become an OCI-shaped {@link ContainerSpec}. */
final class SpecConverter {
    private SpecConverter() {}

    /**
     * @param image   the image's record, or null for {@code --rootfs}
     * @param lowers  the directories that will be the container's read-only root layers, top first
     * @param merged  where the root is assembled
     * @param mounts  the user's and the image's mounts, after the kernel filesystems every container gets
     */
    static ContainerSpec convert(RunOptions options, ImageRecord image, List<Path> lowers, String name, Path merged,
                                 Map<String, String> hostEnv, NetworkPlacement network, List<MountSpec> mounts) {
        ImageConfig config = image != null ? image.config() : ImageConfig.EMPTY;
        List<String> args = arguments(options, config);
        String cwd = options.process().workdir() != null ? options.process().workdir()
                : config.workingDir() != null ? config.workingDir() : "/";
        if (!cwd.startsWith("/")) {
            throw new BerthException("the working directory '" + cwd + "' is invalid: it must be an absolute path");
        }
        String hostname = options.process().hostname() != null ? options.process().hostname() : name;
        if (!(network instanceof NetworkPlacement.Host) && !hostname.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new BerthException("invalid hostname '" + hostname + "'");
        }
        UserLookup users = new UserLookup(lowers);
        UserLookup.Resolved user = users.resolve(options.process().user() != null ? options.process().user() : config.user());
        RunOptions.Privileges privileges = options.privileges();
        List<Integer> groups = new ArrayList<>(user.user().additionalGids());
        for (String group : privileges.groupAdd()) {
            int gid = users.gid(group);
            if (!groups.contains(gid)) {
                groups.add(gid);
            }
        }
        ProcessSpec.User identity = new ProcessSpec.User(user.user().uid(), user.user().gid(), groups);

        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", Defaults.PATH);
        env.put("HOSTNAME", hostname);
        env.put("HOME", user.home());
        if (options.process().tty()) {
            env.put("TERM", "xterm");
        }
        config.env().forEach(e -> putEnv(env, e, hostEnv));
        options.process().env().forEach(e -> putEnv(env, e, hostEnv));

        List<LinuxSpec.Namespace> namespaces = new ArrayList<>();
        for (NamespaceType type : List.of(NamespaceType.PID, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.MOUNT,
                NamespaceType.CGROUP)) {
            namespaces.add(new LinuxSpec.Namespace(type, null));
        }
        switch (network) {
            case NetworkPlacement.Own own -> namespaces.add(new LinuxSpec.Namespace(NamespaceType.NETWORK, null));
            case NetworkPlacement.Host host -> { }
            case NetworkPlacement.Join join -> namespaces.add(new LinuxSpec.Namespace(NamespaceType.NETWORK, join.path()));
        }

        List<String> capabilities;
        try {
            capabilities = privileges.privileged() ? CapabilityNames.held()
                    : CapabilityNames.adjusted(Defaults.CAPABILITIES, privileges.capAdd(), privileges.capDrop());
        } catch (IllegalArgumentException e) {
            throw new BerthException(e.getMessage());
        }
        SecurityOptions security = SecurityOptions.parse(privileges.securityOpt());
        ProcessSpec process = new ProcessSpec(options.process().tty(), identity, args,
                env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList(), cwd,
                capabilities, security.noNewPrivileges(), options.process().oomScoreAdj(), Ulimits.parse(privileges.ulimits()));
        List<HostDevices.Grant> grants = new ArrayList<>(HostDevices.parse(privileges.devices()));
        if (privileges.privileged()) {
            grants.addAll(HostDevices.all());
        }
        List<String> deviceAllow = new ArrayList<>(privileges.privileged() ? List.of("a *:* rwm") : Defaults.DEVICE_ALLOW);
        if (!privileges.privileged()) {
            grants.forEach(g -> deviceAllow.add(g.rule()));
        }
        Map<String, String> sysctls = Sysctls.checked(privileges.sysctls(), !(network instanceof NetworkPlacement.Host)
                && !(options.network().parsedMode() instanceof dev.berth.spec.NetworkMode.Container));
        List<MountSpec> allMounts = new ArrayList<>();
        for (MountSpec m : Defaults.MOUNTS) {
            allMounts.add(privileges.privileged() && m.destination().equals("/sys")
                    ? new MountSpec(m.destination(), m.type(), m.source(),
                            m.options().stream().filter(o -> !o.equals("ro")).toList()) // writable /sys
                    : m);
        }
        allMounts.addAll(mounts);
        boolean unmasked = privileges.privileged() || security.systemPathsUnconfined();
        return new ContainerSpec(ContainerSpec.OCI_VERSION, process,
                new ContainerSpec.Root(merged.toString(), options.process().readOnly()), hostname, allMounts,
                new LinuxSpec(namespaces, unmasked ? List.of() : Defaults.MASKED_PATHS,
                        unmasked ? List.of() : Defaults.READONLY_PATHS, options.resources(),
                        "berth/" + name, seccomp(security, privileges.privileged(), capabilities), sysctls,
                        distinctPaths(grants), deviceAllow),
                Map.of("dev.berth.name", name));
    }

    /** The nodes to make, one per path inside (the last grant of a path wins, as --device given twice). */
    private static List<LinuxSpec.Device> distinctPaths(List<HostDevices.Grant> grants) {
        Map<String, LinuxSpec.Device> byPath = new LinkedHashMap<>();
        grants.forEach(g -> byPath.put(g.device().path(), g.device()));
        return List.copyOf(byPath.values());
    }

    /**
     * The filter: the default profile (Docker's rules) for the container's capabilities, a profile of the
     * user's, or none for seccomp=unconfined and for --privileged without a profile (Docker's rules).
     */
    private static SeccompSpec seccomp(SecurityOptions security, boolean privileged, List<String> capabilities) {
        String profile = security.seccomp();
        if (SecurityOptions.UNCONFINED.equals(profile) || profile == null && privileged) {
            return null;
        }
        try {
            dev.berth.Trace.mark("seccomp profile");
            return SeccompProfile.resolve(profile == null ? SeccompProfile.defaultJson() : profile, capabilities);
        } catch (IllegalArgumentException e) {
            throw new BerthException(e.getMessage());
        }
    }

    /**
     * Docker's rule: the entrypoint (--entrypoint, else the image's), then the command given, or the
     * image's Cmd when none is given and the entrypoint is the image's own.
     */
    static List<String> arguments(RunOptions options, ImageConfig config) {
        String override = options.process().entrypoint();
        List<String> entrypoint = override == null ? config.entrypoint() : override.isEmpty() ? List.of() : List.of(override);
        List<String> cmd = !options.command().isEmpty() ? options.command() : override == null ? config.cmd() : List.of();
        List<String> args = new ArrayList<>(entrypoint);
        args.addAll(cmd);
        if (args.isEmpty()) {
            throw new BerthException("no command specified");
        }
        return List.copyOf(args);
    }

    /** {@code KEY=VALUE} sets; a bare {@code KEY} copies the host's value when it has one (Docker's rule). */
    private static void putEnv(Map<String, String> env, String entry, Map<String, String> hostEnv) {
        int eq = entry.indexOf('=');
        if (eq == 0 || entry.isEmpty()) {
            throw new BerthException("invalid environment variable '" + entry + "'");
        }
        if (eq < 0) {
            String value = hostEnv.get(entry);
            if (value != null) {
                env.put(entry, value);
            }
        } else {
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
    }
}
