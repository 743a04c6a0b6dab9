package dev.berth.spec;

import java.util.List;
import java.util.Map;

/**
 * OCI {@code linux}: namespaces, the /proc and /sys paths hidden or made read-only, resources, the
 * seccomp filter (null: unconfined), namespaced sysctls, the device nodes made in /dev beyond the
 * defaults, and the devices the container may use.
 *
 * @param sysctl      /proc/sys keys ("net.ipv4.ip_forward") and values, written inside the namespaces
 * @param devices     nodes made in the container's /dev besides the ones every container gets
 * @param deviceAllow the device allow-list of its cgroup, in the devices controller's syntax
 *                    ("c 1:3 rwm", "a *:* rwm" for every device); null for {@link Defaults#DEVICE_ALLOW}
 * @param uidMappings the user namespace's uid map (with a new user namespace; empty otherwise)
 * @param gidMappings its gid map
 */
public record LinuxSpec(
        List<Namespace> namespaces,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        ResourcesSpec resources,
        String cgroupsPath,
        SeccompSpec seccomp,
        Map<String, String> sysctl,
        List<Device> devices,
        List<String> deviceAllow,
        List<IdMapping> uidMappings,
        List<IdMapping> gidMappings) {

    public LinuxSpec {
        namespaces = List.copyOf(namespaces);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
        sysctl = sysctl == null ? Map.of() : Map.copyOf(sysctl);
        devices = devices == null ? List.of() : List.copyOf(devices);
        deviceAllow = deviceAllow == null ? Defaults.DEVICE_ALLOW : List.copyOf(deviceAllow);
        uidMappings = uidMappings == null ? List.of() : List.copyOf(uidMappings);
        gidMappings = gidMappings == null ? List.of() : List.copyOf(gidMappings);
    }

    /** No user namespace: the host's ids. */
    public LinuxSpec(List<Namespace> namespaces, List<String> maskedPaths, List<String> readonlyPaths,
                     ResourcesSpec resources, String cgroupsPath, SeccompSpec seccomp, Map<String, String> sysctl,
                     List<Device> devices, List<String> deviceAllow) {
        this(namespaces, maskedPaths, readonlyPaths, resources, cgroupsPath, seccomp, sysctl, devices, deviceAllow,
                List.of(), List.of());
    }

    /** True when the container gets a user namespace of its own (it then has id maps). */
    public boolean newUserNamespace() {
        return namespaces.stream().anyMatch(n -> n.kind() == NamespaceType.USER && n.path() == null);
    }

    /** Docker's defaults for everything after the namespaces and paths: no sysctls, no extra devices. */
    public LinuxSpec(List<Namespace> namespaces, List<String> maskedPaths, List<String> readonlyPaths,
                     ResourcesSpec resources, String cgroupsPath, SeccompSpec seccomp) {
        this(namespaces, maskedPaths, readonlyPaths, resources, cgroupsPath, seccomp, Map.of(), List.of(), null);
    }

    /**
     * A namespace to create ({@code path} null) or to join (the path of an existing one); {@code type}
     * is the OCI name ("pid", "network"…).
     */
    public record Namespace(String type, String path) {
        public Namespace(NamespaceType type, String path) {
            this(type.ociName(), path);
        }

        public NamespaceType kind() {
            return NamespaceType.fromOciName(type);
        }
    }

    /**
     * OCI {@code linux.devices[]}: a node made at path inside the container.
     *
     * @param type     "c" (character), "b" (block) or "p" (a FIFO)
     * @param fileMode its permission bits
     */
    public record Device(String path, String type, int major, int minor, int fileMode) {}

    /** One line of a uid_map or gid_map: {@code size} ids from {@code containerId} are the host's from {@code hostId}. */
    public record IdMapping(long containerId, long hostId, long size) {
        /** The mappings as the kernel's uid_map or gid_map takes them: a line each. */
        public static String mapFile(List<IdMapping> mappings) {
            StringBuilder map = new StringBuilder();
            mappings.forEach(m -> map.append(m.containerId + " " + m.hostId + " " + m.size + "\n"));
            return map.toString();
        }
    }
}
