package dev.berth.api;

import dev.berth.json.Json;
import dev.berth.spec.SeccompSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Seccomp profiles in Docker's format ({@code --security-opt seccomp=FILE}, and berth's default, which has
 * the rules of Docker's): a profile's rules carry conditions on the container's capabilities, the
 * architecture and the kernel version, which {@link #resolve} settles into an OCI {@link SeccompSpec} as
 * moby does.
 */
final class SeccompProfile {
    private static volatile String defaultJson;

    private SeccompProfile() {}

    /** berth's default profile (Docker's rules), as JSON in Docker's format. */
    static String defaultJson() {
        String json = defaultJson;
        if (json == null) {
            try (InputStream in = SeccompProfile.class.getResourceAsStream("seccomp-default.json")) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            defaultJson = json;
        }
        return json;
    }

    private static final Map<List<Object>, SeccompSpec> RESOLVED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The profile for a container holding capabilities, on this machine's architecture and kernel; kept
     * for the next container with the same profile and capabilities (a supervisor reads Docker's default
     * once, not at every start).
     */
    static SeccompSpec resolve(String profileJson, Collection<String> capabilities) {
        List<Object> key = List.of(profileJson, List.copyOf(new java.util.TreeSet<>(capabilities)));
        SeccompSpec spec = RESOLVED.get(key);
        if (spec == null) {
            spec = resolve(profileJson, capabilities, goArch(System.getProperty("os.arch")), kernelVersion());
            if (RESOLVED.size() >= 16) {
                RESOLVED.clear();
            }
            RESOLVED.put(key, spec);
        }
        return spec;
    }

    /**
     * Settles the profile's conditions: a rule is kept when the container holds every capability its
     * includes name and none its excludes name, when arch is (or is not) among its arches, and when the
     * kernel is at least (or below) its minKernel. A bad profile is an IllegalArgumentException.
     *
     * @param arch   Go's name of the architecture ("amd64", "arm64"), as profiles write it
     * @param kernel the kernel's major and minor version
     */
    static SeccompSpec resolve(String profileJson, Collection<String> capabilities, String arch, int[] kernel) {
        Map<String, Object> profile;
        try {
            profile = Json.parseObject(profileJson);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("decoding seccomp profile failed: " + e.getMessage());
        }
        String defaultAction = string(profile, "defaultAction");
        if (defaultAction == null) {
            throw new IllegalArgumentException("invalid seccomp profile: defaultAction is missing");
        }
        List<String> architectures = new ArrayList<>();
        String nativeArch = scmpArch(arch);
        for (Map<String, Object> entry : maps(profile.get("archMap"))) {
            if (nativeArch.equals(entry.get("architecture"))) {
                architectures.add(nativeArch);
                architectures.addAll(strings(entry.get("subArchitectures")));
            }
        }
        if (profile.get("archMap") == null) {
            architectures.addAll(strings(profile.get("architectures")));
        }
        List<SeccompSpec.Syscall> syscalls = new ArrayList<>();
        for (Map<String, Object> rule : maps(profile.get("syscalls"))) {
            List<String> names = new ArrayList<>(strings(rule.get("names")));
            if (rule.get("name") instanceof String single) {
                names.add(single);
            }
            if (names.isEmpty()) {
                throw new IllegalArgumentException("invalid seccomp profile: a rule names no system call");
            }
            String action = string(rule, "action");
            if (action == null) {
                throw new IllegalArgumentException("invalid seccomp profile: the rule for " + names.getFirst() + " has no action");
            }
            if (applies(map(rule.get("includes")), map(rule.get("excludes")), capabilities, arch, kernel)) {
                syscalls.add(new SeccompSpec.Syscall(names, action, integer(rule.get("errnoRet")), args(rule.get("args"))));
            }
        }
        return new SeccompSpec(defaultAction, integer(profile.get("defaultErrnoRet")), architectures, syscalls);
    }

    private static boolean applies(Map<String, Object> includes, Map<String, Object> excludes,
                                   Collection<String> capabilities, String arch, int[] kernel) {
        List<String> excludedArches = strings(excludes.get("arches"));
        if (excludedArches.contains(arch) || strings(excludes.get("caps")).stream().anyMatch(capabilities::contains)) {
            return false;
        }
        if (excludes.get("minKernel") instanceof String min && atLeast(kernel, min)) {
            return false;
        }
        List<String> includedArches = strings(includes.get("arches"));
        if (!includedArches.isEmpty() && !includedArches.contains(arch)) {
            return false;
        }
        if (!capabilities.containsAll(strings(includes.get("caps")))) {
            return false;
        }
        return !(includes.get("minKernel") instanceof String min) || atLeast(kernel, min);
    }

    private static List<SeccompSpec.Arg> args(Object value) {
        List<SeccompSpec.Arg> args = new ArrayList<>();
        for (Map<String, Object> arg : maps(value)) {
            Object index = arg.get("index");
            String op = string(arg, "op");
            if (!(index instanceof Number) || op == null) {
                throw new IllegalArgumentException("invalid seccomp profile: an argument needs an index and an op");
            }
            args.add(new SeccompSpec.Arg(((Number) index).intValue(), number(arg.get("value")), number(arg.get("valueTwo")), op));
        }
        return args;
    }

    /** Go's GOARCH for Java's os.arch. */
    static String goArch(String osArch) {
        return switch (osArch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> osArch;
        };
    }

    private static String scmpArch(String goArch) {
        return switch (goArch) {
            case "amd64" -> "SCMP_ARCH_X86_64";
            case "arm64" -> "SCMP_ARCH_AARCH64";
            default -> "SCMP_ARCH_" + goArch.toUpperCase(java.util.Locale.ROOT);
        };
    }

    /** The running kernel's major and minor version (/proc/sys/kernel/osrelease). */
    static int[] kernelVersion() {
        try {
            return version(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/osrelease")).trim());
        } catch (IOException | RuntimeException e) {
            return new int[] {0, 0};
        }
    }

    static int[] version(String release) {
        String[] parts = release.split("[.-]");
        return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0};
    }

    private static boolean atLeast(int[] kernel, String min) {
        int[] m = version(min);
        return kernel[0] > m[0] || (kernel[0] == m[0] && kernel[1] >= m[1]);
    }

    private static String string(Map<String, Object> map, String key) {
        return map.get(key) instanceof String s ? s : null;
    }

    private static Integer integer(Object value) {
        return value instanceof Number n ? n.intValue() : null;
    }

    private static long number(Object value) {
        if (value == null) {
            return 0;
        }
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("invalid seccomp profile: an argument value is not a number: " + value);
        }
        return n.longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(e -> e instanceof Map)) {
            throw new IllegalArgumentException("invalid seccomp profile: expected a list of objects, got " + value);
        }
        return (List<Map<String, Object>>) value;
    }

    private static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(e -> e instanceof String)) {
            throw new IllegalArgumentException("invalid seccomp profile: expected a list of names, got " + value);
        }
        return list.stream().map(String.class::cast).toList();
    }
}
