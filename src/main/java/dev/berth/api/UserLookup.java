package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.spec.ProcessSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves {@code --user} ({@code uid[:gid]} or {@code name[:group]}) against the container's own
 * /etc/passwd and /etc/group, as Docker does.
 */
final class UserLookup {
    record Resolved(ProcessSpec.User user, String home) {}

    private final List<String[]> passwd;
    private final List<String[]> group;

    /** @param layers the root's read-only layers, top first: the topmost that has a file wins, as in the overlay */
    UserLookup(List<Path> layers) {
        this.passwd = read(topmost(layers, "etc/passwd"));
        this.group = read(topmost(layers, "etc/group"));
    }

    private static Path topmost(List<Path> layers, String file) {
        for (Path layer : layers) {
            Path candidate = layer.resolve(file);
            if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                return candidate; // a whiteout (a device) reads as no file
            }
        }
        return layers.getFirst().resolve(file);
    }

    Resolved resolve(String spec) {
        String userPart = spec == null || spec.isEmpty() ? "0" : spec;
        String groupPart = null;
        int colon = userPart.indexOf(':');
        if (colon >= 0) {
            groupPart = userPart.substring(colon + 1);
            userPart = userPart.substring(0, colon);
        }
        String[] entry = find(passwd, userPart);
        int uid;
        if (entry != null) {
            uid = Integer.parseInt(entry[2]);
        } else if (userPart.matches("\\d+")) {
            uid = parseId(userPart, "uid");
        } else {
            throw new BerthException("unable to find user " + userPart + ": no matching entries in passwd file");
        }
        int gid;
        if (groupPart != null) {
            String[] g = find(group, groupPart);
            if (g != null) {
                gid = Integer.parseInt(g[2]);
            } else if (groupPart.matches("\\d+")) {
                gid = parseId(groupPart, "gid");
            } else {
                throw new BerthException("unable to find group " + groupPart + ": no matching entries in group file");
            }
        } else {
            gid = entry != null ? Integer.parseInt(entry[3]) : 0;
        }
        List<Integer> extra = new ArrayList<>();
        if (entry != null) {
            for (String[] g : group) {
                if (g.length > 3 && List.of(g[3].split(",")).contains(entry[0])) {
                    int id = Integer.parseInt(g[2]);
                    if (id != gid) {
                        extra.add(id);
                    }
                }
            }
        }
        String home = entry != null && entry.length > 5 && !entry[5].isEmpty() ? entry[5] : (uid == 0 ? "/root" : "/");
        return new Resolved(new ProcessSpec.User(uid, gid, extra), home);
    }

    /** A group of --group-add: a name of the container's /etc/group, or a number. */
    int gid(String nameOrId) {
        String[] g = find(group, nameOrId);
        if (g != null) {
            return Integer.parseInt(g[2]);
        }
        if (nameOrId.matches("\\d+")) {
            return parseId(nameOrId, "gid");
        }
        throw new BerthException("unable to find group " + Names.printable(nameOrId) + ": no matching entries in group file");
    }

    private static String[] find(List<String[]> entries, String nameOrId) {
        for (String[] e : entries) {
            if (e[0].equals(nameOrId)) {
                return e;
            }
        }
        for (String[] e : entries) {
            if (e[2].equals(nameOrId)) {
                return e;
            }
        }
        return null;
    }

    private static int parseId(String value, String what) {
        try {
            long id = Long.parseLong(value);
            if (id < 0 || id > 0xfffffffeL) {
                throw new NumberFormatException();
            }
            return (int) id;
        } catch (NumberFormatException e) {
            throw new BerthException("invalid " + what + " " + value);
        }
    }

    private static List<String[]> read(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split(":", -1))
                    .filter(f -> f.length >= 3 && f[2].matches("\\d+"))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
