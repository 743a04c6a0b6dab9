package dev.berth.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a path inside a container's root the way the container will see it: symbolic links are
 * followed as if {@code root} were {@code /}, and {@code ..} never climbs above it. A hostile image whose
 * {@code /dev} is a link to {@code /etc} therefore cannot make berth mount anything outside its root.
 */
final class SecureJoin {
    private static final int MAX_LINKS = 40;

    private SecureJoin() {}

    static Path resolve(Path root, String unsafePath) {
        Deque<String> pending = new ArrayDeque<>();
        push(pending, unsafePath);
        Path current = root;
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                current = current.equals(root) ? root : current.getParent();
                continue;
            }
            Path next = current.resolve(part);
            if (Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) {
                    throw new IllegalArgumentException("too many symbolic links resolving " + unsafePath);
                }
                String target;
                try {
                    target = Files.readSymbolicLink(next).toString();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read link " + next, e);
                }
                if (target.startsWith("/")) {
                    current = root;
                }
                push(pending, target);
                continue;
            }
            current = next;
        }
        return current;
    }

    private static void push(Deque<String> pending, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            pending.push(parts[i]);
        }
    }
}
