package dev.berth.oci;

import dev.berth.json.Json;
import dev.berth.spec.CapabilityNames;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.Defaults;
import dev.berth.spec.LinuxSpec;
import dev.berth.spec.MountSpec;
import dev.berth.spec.NamespaceType;
import dev.berth.spec.ProcessSpec;
import dev.berth.spec.ResourcesSpec;
import dev.berth.spec.SeccompSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An OCI bundle's {@code config.json} read into berth's {@link ContainerSpec} (the one model the runtime
 * starts), plus what only an OCI runtime does with it: hooks. What berth cannot honour is refused with a
 * clear error rather than ignored: user namespaces and id mappings, a config without a mount namespace.
 */
public record BundleConfig(ContainerSpec spec, Hooks hooks, Map<String, Object> raw) {
    private static final List<String> ROOTFS_PROPAGATION = List.of("shared", "rshared", "slave", "rslave", "private",
            "rprivate", "unbindable", "runbindable");


    /** Reads bundle/config.json; relative paths in it (the root, bind sources) are the bundle's. */
    public static BundleConfig read(Path bundle) {
        Path file = bundle.resolve("config.json");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new OciException("no config.json in bundle " + bundle);
        } catch (IOException e) {
            throw new OciException("cannot read " + file + ": " + e.getMessage());
        }
        Map<String, Object> config;
        try {
            config = Json.parseObject(text);
        } catch (RuntimeException e) {
            throw new OciException("invalid JSON in " + file + ": " + firstLine(e));
        }
        try {
            return convert(bundle, config, true);
        } catch (ClassCastException | NullPointerException | NumberFormatException e) {
            throw new OciException("invalid " + file + ": " + firstLine(e));
        }
    }

    /**
     * @param checkRoot whether the root must exist and lowered limits are told of: at create, not when a
     *                  stored config is read back (a stopped container's root may be gone)
     */
    static BundleConfig convert(Path bundle, Map<String, Object> config, boolean checkRoot) {
        Object version = config.get("ociVersion");
        if (version == null || !version.toString().matches("1\\.\\d+\\.\\d+([-+].*)?")) {
            throw new OciException("unsupported ociVersion '" + version + "' (berth-oci reads 1.x configs)");
        }
        Map<String, Object> process = map(config.get("process"));
        if (process == null) {
            throw new OciException("config.json has no process");
        }
        Map<String, Object> root = map(config.get("root"));
        if (root == null || string(root.get("path")) == null) {
            throw new OciException("config.json has no root.path");
        }
        Path rootPath = bundle.resolve(string(root.get("path"))).toAbsolutePath().normalize();
        if (checkRoot && !Files.isDirectory(rootPath)) {
            throw new OciException("the root " + rootPath + " is not a directory");
        }
        Map<String, Object> linux = map(config.get("linux"));
        if (linux == null) {
            linux = Map.of();
        }
        String propagation = blankToNull(string(linux.get("rootfsPropagation")));
        if (propagation != null && !ROOTFS_PROPAGATION.contains(propagation)) {
            throw new OciException("unknown linux.rootfsPropagation '" + propagation + "' (one of " + ROOTFS_PROPAGATION + ")");
        }
        ContainerSpec spec = new ContainerSpec(
                version.toString(),
                process(process, checkRoot),
                new ContainerSpec.Root(rootPath.toString(), bool(root.get("readonly")), propagation),
                string(config.get("hostname")),
                mounts(bundle, list(config.get("mounts"))),
                linux(linux),
                stringMap(config.get("annotations")));
        return new BundleConfig(spec, Hooks.of(map(config.get("hooks"))), config);
    }

    /** @param warn whether to tell of rlimits lowered to the host's hard limits (once, at create) */
    static ProcessSpec process(Map<String, Object> process, boolean warn) {
        List<String> args = strings(process.get("args"));
        if (args.isEmpty()) {
            throw new OciException("process.args is empty: there is no command to run");
        }
        String cwd = string(process.getOrDefault("cwd", "/"));
        if (!cwd.startsWith("/")) {
            throw new OciException("process.cwd '" + cwd + "' is not an absolute path");
        }
        Map<String, Object> user = map(process.get("user"));
        ProcessSpec.User identity = user == null ? new ProcessSpec.User(0, 0, List.of())
                : new ProcessSpec.User(integer(user.get("uid"), 0), integer(user.get("gid"), 0),
                strings(user.get("additionalGids")).stream().map(Integer::valueOf).toList());
        List<ProcessSpec.Rlimit> rlimits = new ArrayList<>();
        for (Object o : list(process.get("rlimits"))) {
            Map<String, Object> r = map(o);
            rlimits.add(new ProcessSpec.Rlimit(string(r.get("type")), number(r.get("hard")), number(r.get("soft"))));
        }
        Object oom = process.get("oomScoreAdj");
        Map<String, Object> caps = map(process.get("capabilities"));
        caps = caps == null ? Map.of() : caps;
        List<String> held = CapabilityNames.held();
        List<String> permitted = capabilities(caps, "permitted", held, warn);
        List<String> inheritable = capabilities(caps, "inheritable", held, warn);
        List<String> ambient = new ArrayList<>();
        for (String name : capabilities(caps, "ambient", held, warn)) {
            if (permitted.contains(name) && inheritable.contains(name)) { // the kernel's rule for raising one
                ambient.add(name);
            } else if (warn) {
                System.err.println("berth-oci: warning: ambient capability " + name
                        + " is not also permitted and inheritable: not raised");
            }
        }
        ProcessSpec.CapabilitySets sets = new ProcessSpec.CapabilitySets(capabilities(caps, "effective", held, warn),
                permitted, inheritable, ambient);
        return new ProcessSpec(bool(process.get("terminal")), identity, args, strings(process.get("env")), cwd,
                capabilities(caps, "bounding", held, warn), bool(process.get("noNewPrivileges")),
                oom == null ? null : ((Number) oom).intValue(), HostLimits.clamp(rlimits, warn), sets);
    }

    /**
     * One of process.capabilities' sets (empty when absent), less the capabilities berth-oci does not hold
     * itself (the runtime spec: what cannot be granted is a warning, and the container still runs); a
     * name no kernel knows is an error.
     */
    private static List<String> capabilities(Map<String, Object> caps, String set, List<String> held, boolean warn) {
        List<String> granted = new ArrayList<>();
        for (String name : strings(caps.get(set))) {
            if (!CapabilityNames.ALL.contains(name)) {
                throw new OciException("unknown capability " + name + " in process.capabilities." + set);
            }
            if (held.contains(name)) {
                granted.add(name);
            } else if (warn) {
                System.err.println("berth-oci: warning: capability " + name + " (process.capabilities." + set
                        + ") is not held by berth-oci: not granted");
            }
        }
        return granted;
    }

    private static List<MountSpec> mounts(Path bundle, List<Object> mounts) {
        List<MountSpec> specs = new ArrayList<>();
        for (Object o : mounts) {
            Map<String, Object> m = map(o);
            String destination = string(m.get("destination"));
            if (destination == null || !destination.startsWith("/")) {
                throw new OciException("mount destination '" + destination + "' is not an absolute path");
            }
            List<String> options = strings(m.get("options"));
            String type = string(m.get("type"));
            boolean bind = options.contains("bind") || options.contains("rbind");
            if (type == null || type.isEmpty() || type.equals("none")) {
                type = bind ? "bind" : "none";
            }
            String source = string(m.get("source"));
            if (bind && source != null && !source.startsWith("/")) {
                source = bundle.resolve(source).toAbsolutePath().normalize().toString();
            }
            specs.add(new MountSpec(destination, type, source == null ? type : source, options));
        }
        return specs;
    }

    static LinuxSpec linux(Map<String, Object> linux) {
        List<LinuxSpec.Namespace> namespaces = new ArrayList<>();
        Set<NamespaceType> seen = new LinkedHashSet<>();
        for (Object o : list(linux.get("namespaces"))) {
            Map<String, Object> ns = map(o);
            String type = string(ns.get("type"));
            NamespaceType kind;
            try {
                kind = NamespaceType.fromOciName(type);
            } catch (IllegalArgumentException e) {
                throw new OciException("unsupported namespace type '" + type + "'");
            }
            if (!seen.add(kind)) {
                throw new OciException("namespace " + type + " is listed twice");
            }
            String path = string(ns.get("path"));
            namespaces.add(new LinuxSpec.Namespace(kind, path == null || path.isEmpty() ? null : path));
        }
        if (!seen.contains(NamespaceType.MOUNT)) {
            throw new OciException("berth-oci needs a mount namespace (linux.namespaces has no \"mount\")");
        }
        List<LinuxSpec.IdMapping> uidMappings = idMappings(list(linux.get("uidMappings")));
        List<LinuxSpec.IdMapping> gidMappings = idMappings(list(linux.get("gidMappings")));
        boolean newUser = namespaces.stream().anyMatch(n -> n.kind() == NamespaceType.USER && n.path() == null);
        if (namespaces.stream().anyMatch(n -> n.kind() == NamespaceType.USER && n.path() != null)) {
            throw new OciException("joining a user namespace by path is not supported by berth-oci yet");
        }
        if (newUser && (uidMappings.isEmpty() || gidMappings.isEmpty())) {
            throw new OciException("a user namespace needs linux.uidMappings and linux.gidMappings");
        }
        if (!newUser && (!uidMappings.isEmpty() || !gidMappings.isEmpty())) {
            throw new OciException("uid/gid mappings need a user namespace (linux.namespaces has no \"user\")");
        }
        Map<String, Object> resources = map(linux.get("resources"));
        return new LinuxSpec(namespaces,
                linux.containsKey("maskedPaths") ? strings(linux.get("maskedPaths")) : List.of(),
                linux.containsKey("readonlyPaths") ? strings(linux.get("readonlyPaths")) : List.of(),
                resources(resources), string(linux.get("cgroupsPath")), seccomp(map(linux.get("seccomp"))),
                stringMap(linux.get("sysctl")), devices(list(linux.get("devices"))),
                deviceAllow(resources, list(linux.get("devices"))), uidMappings, gidMappings);
    }

    private static List<LinuxSpec.IdMapping> idMappings(List<Object> entries) {
        List<LinuxSpec.IdMapping> mappings = new ArrayList<>();
        for (Object o : entries) {
            Map<String, Object> m = map(o);
            Long container = m.get("containerID") == null ? null : number(m.get("containerID"));
            Long host = m.get("hostID") == null ? null : number(m.get("hostID"));
            Long size = m.get("size") == null ? null : number(m.get("size"));
            if (container == null || host == null || size == null || container < 0 || host < 0 || size <= 0) {
                throw new OciException("an id mapping needs containerID, hostID and a positive size: " + m);
            }
            mappings.add(new LinuxSpec.IdMapping(container, host, size));
        }
        return mappings;
    }

    static ResourcesSpec resources(Map<String, Object> r) {
        if (r == null) {
            return ResourcesSpec.NONE;
        }
        Map<String, Object> memory = map(r.get("memory"));
        Map<String, Object> cpu = map(r.get("cpu"));
        Map<String, Object> pids = map(r.get("pids"));
        memory = memory == null ? Map.of() : memory;
        cpu = cpu == null ? Map.of() : cpu;
        Long quota = positive(cpu.get("quota"));
        Long period = positive(cpu.get("period"));
        Long swappiness = memory.get("swappiness") == null ? null : number(memory.get("swappiness"));
        if (swappiness != null && (swappiness < 0 || swappiness > 100)) {
            throw new OciException("linux.resources.memory.swappiness must be 0 to 100, not " + swappiness);
        }
        if (memory.get("kernel") != null) { // as runc: Linux 5.16 and later accept the value and ignore it
            System.err.println("berth-oci: warning: linux.resources.memory.kernel is ignored (no kernel enforces it any more)");
        }
        Boolean disableOom = memory.get("disableOOMKiller") == null ? null : bool(memory.get("disableOOMKiller"));
        return new ResourcesSpec(positive(memory.get("limit")), signed(memory.get("swap")), positive(memory.get("reservation")),
                positive(cpu.get("shares")), quota, quota != null && period == null ? Long.valueOf(100_000) : period,
                blankToNull(string(cpu.get("cpus"))), pids == null ? null : signed(pids.get("limit")), swappiness,
                disableOom, positive(memory.get("kernelTCP")));
    }

    private static SeccompSpec seccomp(Map<String, Object> s) {
        if (s == null) {
            return null;
        }
        List<SeccompSpec.Syscall> rules = new ArrayList<>();
        for (Object o : list(s.get("syscalls"))) {
            Map<String, Object> rule = map(o);
            List<SeccompSpec.Arg> args = new ArrayList<>();
            for (Object a : list(rule.get("args"))) {
                Map<String, Object> arg = map(a);
                args.add(new SeccompSpec.Arg(integer(arg.get("index"), 0), number(arg.get("value")),
                        number(arg.get("valueTwo")), string(arg.get("op"))));
            }
            Object errno = rule.get("errnoRet");
            rules.add(new SeccompSpec.Syscall(strings(rule.get("names")), string(rule.get("action")),
                    errno == null ? null : ((Number) errno).intValue(), args));
        }
        Object defaultErrno = s.get("defaultErrnoRet");
        return new SeccompSpec(string(s.get("defaultAction")), defaultErrno == null ? null : ((Number) defaultErrno).intValue(),
                strings(s.get("architectures")), rules);
    }

    private static List<LinuxSpec.Device> devices(List<Object> devices) {
        List<LinuxSpec.Device> nodes = new ArrayList<>();
        for (Object o : devices) {
            Map<String, Object> d = map(o);
            String type = string(d.get("type"));
            if (!List.of("c", "b", "u", "p").contains(type)) {
                throw new OciException("device " + d.get("path") + ": type must be c, b, u or p");
            }
            nodes.add(new LinuxSpec.Device(string(d.get("path")), type.equals("u") ? "c" : type,
                    integer(d.get("major"), 0), integer(d.get("minor"), 0), integer(d.get("fileMode"), 0666)));
        }
        return nodes;
    }

    /**
     * The device allow-list, runc's way: the config's allowed rules, its own device nodes, and the
     * defaults every container gets. A deny rule other than the leading deny-all narrows nothing here.
     */
    private static List<String> deviceAllow(Map<String, Object> resources, List<Object> devices) {
        Set<String> allow = new LinkedHashSet<>();
        if (resources != null) {
            for (Object o : list(resources.get("devices"))) {
                Map<String, Object> rule = map(o);
                if (bool(rule.get("allow"))) {
                    String type = string(rule.getOrDefault("type", "a"));
                    String access = string(rule.getOrDefault("access", "rwm"));
                    allow.add(type.equals("a") ? "a *:* " + access
                            : type + " " + id(rule.get("major")) + ":" + id(rule.get("minor")) + " " + access);
                }
            }
        }
        for (Object o : devices) {
            Map<String, Object> d = map(o);
            String type = string(d.get("type"));
            if (!type.equals("p")) { // a FIFO is no device to the cgroup
                allow.add((type.equals("b") ? "b" : "c") + " " + d.get("major") + ":" + d.get("minor") + " rwm");
            }
        }
        allow.addAll(Defaults.DEVICE_ALLOW);
        return List.copyOf(allow);
    }

    private static String id(Object n) {
        return n == null || ((Number) n).longValue() < 0 ? "*" : String.valueOf(((Number) n).longValue());
    }

    // --- JSON access: config.json as maps, lists, strings and numbers

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    static List<String> strings(Object o) {
        return list(o).stream().map(String::valueOf).toList();
    }

    static String string(Object o) {
        return o == null ? null : o.toString();
    }

    private static boolean bool(Object o) {
        return Boolean.TRUE.equals(o);
    }

    private static int integer(Object o, int otherwise) {
        return o == null ? otherwise : ((Number) o).intValue();
    }

    private static long number(Object o) {
        return o == null ? 0 : o instanceof Number n ? n.longValue() : Long.parseLong(o.toString());
    }

    private static Long positive(Object o) {
        return o == null || number(o) <= 0 ? null : number(o);
    }

    private static Long signed(Object o) {
        return o == null || number(o) == 0 ? null : number(o);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Map<String, String> stringMap(Object o) {
        Map<String, String> out = new LinkedHashMap<>();
        if (o != null) {
            map(o).forEach((k, v) -> out.put(k, String.valueOf(v)));
        }
        return out;
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
