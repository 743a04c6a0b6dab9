package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.spec.LinuxSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The host's device nodes a container is given: {@code --device HOST[:CONTAINER][:PERMISSIONS]} (a
 * directory gives every device under it) and, for {@code --privileged}, every device of the host's /dev,
 * as Docker gives them. Each becomes a node in the container's /dev and an entry of its device allow-list.
 */
final class HostDevices {
    private static final int S_IFMT = 0170000, S_IFCHR = 0020000, S_IFBLK = 0060000;
    /** What every container has anyway, or what is its own (ptys, shm, mqueue). */
    private static final List<String> NOT_COPIED = List.of("/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/console",
            "/dev/ptmx", "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty");

    private HostDevices() {}

    /** A node to make and the access its cgroup grants. */
    record Grant(LinuxSpec.Device device, String access) {
        String rule() {
            return device.type() + " " + device.major() + ":" + device.minor() + " " + access;
        }
    }

    /** --device specs, Docker's syntax: the host path, then the container's path or the permissions, or both. */
    static List<Grant> parse(List<String> specs) {
        List<Grant> grants = new ArrayList<>();
        for (String spec : specs) {
            String[] parts = spec.split(":", -1);
            String host = parts[0];
            String container = host;
            String access = "rwm";
            if (parts.length == 3) {
                container = parts[1];
                access = parts[2];
            } else if (parts.length == 2) {
                if (parts[1].matches("[rwm]+")) {
                    access = parts[1];
                } else {
                    container = parts[1];
                }
            } else if (parts.length > 3) {
                throw invalid(spec, "expected HOST[:CONTAINER][:PERMISSIONS]");
            }
            if (!access.matches("[rwm]{1,3}") || access.chars().distinct().count() != access.length()) {
                throw invalid(spec, "permissions are some of r, w and m");
            }
            if (!host.startsWith("/") || !container.startsWith("/") || container.contains("/../") || container.endsWith("/..")) {
                throw invalid(spec, "paths must be absolute");
            }
            if (spec.indexOf('\0') >= 0) {
                throw invalid(spec, "a path has a NUL character");
            }
            Path hostPath = Path.of(host);
            if (Files.isDirectory(hostPath)) {
                for (Grant g : under(hostPath)) {
                    String inside = container + g.device().path().substring(host.length());
                    grants.add(new Grant(new LinuxSpec.Device(inside, g.device().type(), g.device().major(),
                            g.device().minor(), g.device().fileMode()), access));
                }
            } else {
                LinuxSpec.Device device = device(hostPath, container);
                if (device == null) {
                    throw invalid(spec, Files.exists(hostPath) ? host + " is not a device node" : "no such file " + host);
                }
                grants.add(new Grant(device, access));
            }
        }
        return grants;
    }

    /** Every device node of the host's /dev but those a container has of its own (--privileged). */
    static List<Grant> all() {
        return under(Path.of("/dev")).stream().map(g -> new Grant(g.device(), "rwm")).toList();
    }

    private static List<Grant> under(Path dir) {
        List<Grant> grants = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> NOT_COPIED.stream().noneMatch(n -> p.toString().equals(n) || p.toString().startsWith(n + "/")))
                    .forEach(p -> {
                        LinuxSpec.Device device = device(p, p.toString());
                        if (device != null) {
                            grants.add(new Grant(device, "rwm"));
                        }
                    });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new BerthException("cannot list the devices under " + dir + ": " + e.getMessage());
        }
        return grants;
    }

    /** The node at host as one to make at path, or null when it is not a device (symlinks are not followed). */
    static LinuxSpec.Device device(Path host, String path) {
        try {
            Map<String, Object> a = Files.readAttributes(host, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            long rdev = (Long) a.get("rdev");
            String type = (mode & S_IFMT) == S_IFCHR ? "c" : (mode & S_IFMT) == S_IFBLK ? "b" : null;
            if (type == null) {
                return null;
            }
            int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
            int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
            return new LinuxSpec.Device(path, type, major, minor, mode & 07777);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static BerthException invalid(String spec, String why) {
        return new BerthException("invalid --device '" + Names.printable(spec) + "': " + why);
    }
}
