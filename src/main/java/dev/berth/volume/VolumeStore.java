package dev.berth.volume;

import dev.berth.BerthException;
import dev.berth.json.Json;
import dev.berth.state.BerthPaths;
import dev.berth.state.Directories;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The volumes under {@code ROOT/volumes}: {@code NAME/volume.json} and {@code NAME/_data}, the directory
 * containers mount. A volume appears whole or not at all (made under a temporary name, then renamed), so
 * a crash leaves at most a {@code .new-*} directory, which {@link #gc} removes. Callers serialise changes
 * with the containers lock, since whether a volume is in use is a question about containers.
 */
public final class VolumeStore {
    private static final String PARTIAL = ".new-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BerthPaths paths;

    public VolumeStore(BerthPaths paths) {
        this.paths = paths;
    }

    /** Docker's rule for a volume name. */
    public static boolean isValidName(String name) {
        return name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    }

    /** A fresh name for an anonymous volume: 64 hex digits, as Docker's. */
    public static String anonymousName() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public Optional<Volume> get(String name) {
        if (!isValidName(name) || !Files.isRegularFile(paths.volumeRecord(name))) {
            return Optional.empty();
        }
        return Optional.of(Json.read(paths.volumeRecord(name), Volume.class));
    }

    public Volume find(String name) {
        return get(name).orElseThrow(() -> new BerthException("no such volume: " + name));
    }

    /** The directory a container mounts. */
    public Path data(String name) {
        return paths.volumeData(name);
    }

    /** Creates the volume; returns the existing one when the name is taken (Docker's create is idempotent). */
    public Volume create(String name, Map<String, String> labels, boolean anonymous) {
        if (!isValidName(name)) {
            throw new BerthException("invalid volume name '" + name
                    + "': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least two characters");
        }
        Optional<Volume> existing = get(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        Volume volume = new Volume(name, Instant.now().toString(), labels, anonymous);
        Path partial = paths.volumes().resolve(PARTIAL + anonymousName().substring(0, 16));
        try {
            Files.createDirectories(partial.resolve("_data"));
            Json.writeAtomically(partial.resolve("volume.json"), volume);
            Files.move(partial, paths.volume(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            Directories.deleteTree(partial);
            return find(name); // made meanwhile by a caller that does not hold the lock
        } catch (IOException e) {
            Directories.deleteTree(partial);
            throw new UncheckedIOException("cannot create volume " + name, e);
        }
        return volume;
    }

    public List<Volume> list() {
        if (!Files.isDirectory(paths.volumes())) {
            return List.of();
        }
        List<Volume> volumes = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(paths.volumes())) {
            for (Path dir : dirs.sorted().toList()) {
                get(dir.getFileName().toString()).ifPresent(volumes::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list volumes", e);
        }
        return volumes;
    }

    /** Removes the volume and its content; the caller has checked that no container uses it. */
    public void remove(String name) {
        find(name);
        Path doomed = paths.volumes().resolve(PARTIAL + anonymousName().substring(0, 16));
        try {
            Files.move(paths.volume(name), doomed, StandardCopyOption.ATOMIC_MOVE); // gone at once, deleted after
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove volume " + name, e);
        }
        Directories.deleteTree(doomed);
    }

    /** Removes what a crash left: volumes half made or half removed. Returns what went. */
    public List<String> gc() {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(paths.volumes())) {
            return removed;
        }
        try (Stream<Path> dirs = Files.list(paths.volumes())) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (name.startsWith(PARTIAL) || !Files.isRegularFile(dir.resolve("volume.json"))) {
                    Directories.deleteTree(dir);
                    removed.add("removed unfinished volume directory " + dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list volumes", e);
        }
        return removed;
    }
}
