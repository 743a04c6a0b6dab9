package dev.berth.cgroup;

import dev.berth.BerthException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The host's control groups: cgroup v2 (the unified hierarchy) or v1 (one hierarchy per controller),
 * found in /proc/self/mountinfo. A hybrid host (v1 controllers plus a v2 mount holding none of them, as
 * here) is driven through v1. Groups live under one parent directory ({@code berth} by default).
 */
public final class Cgroups {
    /** The controllers berth uses, in v1 naming. */
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "cpuset", "pids", "devices");

    private final Map<String, Path> v1Roots; // controller -> hierarchy mount point; empty on v2
    private final Path v2Root;               // null on v1
    private final String parent;

    private Cgroups(Map<String, Path> v1Roots, Path v2Root, String parent) {
        this.v1Roots = Map.copyOf(v1Roots);
        this.v2Root = v2Root;
        this.parent = parent;
    }

    public static Cgroups v1(Map<String, Path> roots, String parent) {
        return new Cgroups(roots, null, parent);
    }

    public static Cgroups v2(Path root, String parent) {
        return new Cgroups(Map.of(), root, parent);
    }

    /** The layout of this host, from /proc/self/mountinfo. */
    public static Cgroups detect(String parent) {
        return detect(parent, CONTROLLERS);
    }

    /** The layout of this host with the v1 freezer too (an OCI runtime's pause and resume). */
    public static Cgroups detectWithFreezer(String parent) {
        List<String> controllers = new ArrayList<>(CONTROLLERS);
        controllers.add("freezer");
        return detect(parent, controllers);
    }

    private static Cgroups detect(String parent, List<String> controllers) {
        Map<String, Path> v1 = new LinkedHashMap<>();
        Path v2 = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ");
                if (halves.length < 2) {
                    continue;
                }
                String mountPoint = halves[0].split(" ")[4];
                String[] right = halves[1].split(" ");
                if (right[0].equals("cgroup2")) {
                    v2 = Path.of(mountPoint);
                } else if (right[0].equals("cgroup") && right.length > 2) {
                    for (String option : right[2].split(",")) {
                        if (controllers.contains(option)) {
                            v1.putIfAbsent(option, Path.of(mountPoint));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!v1.isEmpty()) {
            return v1(v1, parent);
        }
        if (v2 != null) {
            return v2(v2, parent);
        }
        throw new BerthException("no cgroup hierarchy is mounted: cannot limit resources");
    }

    public String version() {
        return v2Root != null ? "v2" : "v1";
    }

    /** Creates the group for id and applies its limits; on failure nothing is left. */
    public Cgroup create(String id, Resources resources) {
        Cgroup group;
        if (v2Root != null) {
            Path parentDir = v2Root.resolve(parent);
            mkdir(parentDir);
            enableControllers(v2Root);
            enableControllers(parentDir);
            Path dir = parentDir.resolve(id);
            mkdir(dir);
            group = new V2Cgroup(dir);
        } else {
            Map<String, Path> dirs = new LinkedHashMap<>();
            v1Roots.forEach((controller, root) -> dirs.put(controller, root.resolve(parent).resolve(id)));
            for (var entry : dirs.entrySet()) {
                if (entry.getKey().equals("cpuset")) {
                    // each new level of a v1 cpuset hierarchy starts empty: it gets its parent's CPUs
                    Path root = v1Roots.get("cpuset");
                    Path at = root;
                    for (Path name : root.relativize(entry.getValue())) {
                        Path next = at.resolve(name);
                        mkdir(next);
                        inheritCpuset(at, next);
                        at = next;
                    }
                } else {
                    mkdir(entry.getValue());
                }
            }
            group = new V1Cgroup(dirs);
        }
        try {
            group.apply(resources);
            return group;
        } catch (RuntimeException e) {
            group.destroy();
            throw e;
        }
    }

    /** The existing group of id (its directories may be gone). */
    public Cgroup open(String id) {
        if (v2Root != null) {
            return new V2Cgroup(v2Root.resolve(parent).resolve(id));
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        v1Roots.forEach((controller, root) -> dirs.put(controller, root.resolve(parent).resolve(id)));
        return new V1Cgroup(dirs);
    }

    /** The ids that have a group under berth's parent, in any hierarchy. */
    public List<String> ids() {
        List<Path> parents = new ArrayList<>();
        if (v2Root != null) {
            parents.add(v2Root.resolve(parent));
        }
        v1Roots.values().forEach(root -> parents.add(root.resolve(parent)));
        List<String> ids = new ArrayList<>();
        for (Path p : parents) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> children = Files.list(p)) {
                    children.filter(Files::isDirectory).map(c -> c.getFileName().toString())
                            .filter(n -> !ids.contains(n)).forEach(ids::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return ids;
    }

    /** Removes berth's parent directories when no group is left in them. */
    public void removeParentIfEmpty() {
        if (!ids().isEmpty()) {
            return;
        }
        if (v2Root != null) {
            CgroupFiles.removeDirectory(v2Root.resolve(parent));
        }
        v1Roots.values().stream().distinct().forEach(root -> CgroupFiles.removeDirectory(root.resolve(parent)));
    }

    /** A new v1 cpuset group starts with no CPUs and no memory nodes: it gets its parent's. */
    private static void inheritCpuset(Path from, Path to) {
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
            if (CgroupFiles.read(to.resolve(file)).isEmpty()) {
                CgroupFiles.write(to.resolve(file), CgroupFiles.read(from.resolve(file)));
            }
        }
    }

    private static void enableControllers(Path dir) {
        String available = CgroupFiles.read(dir.resolve("cgroup.controllers"));
        StringBuilder enable = new StringBuilder();
        for (String c : List.of("memory", "cpu", "cpuset", "pids")) {
            if (List.of(available.split("\\s+")).contains(c)) {
                enable.append(enable.isEmpty() ? "" : " ").append('+').append(c);
            }
        }
        if (!enable.isEmpty()) {
            CgroupFiles.write(dir.resolve("cgroup.subtree_control"), enable.toString());
        }
    }

    private static void mkdir(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BerthException("cannot create cgroup " + dir + ": " + e.getMessage(), e);
        }
    }
}
