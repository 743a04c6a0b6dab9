package dev.berth.image;

import dev.berth.BerthException;
import dev.berth.state.BerthPaths;
import dev.berth.state.Directories;
import dev.berth.state.FileLock;
import dev.berth.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Images under the state root: {@code images/NAME/rootfs} and {@code images/NAME/image.json}. An image
 * is assembled in a temporary directory and renamed into place, so a failed import leaves nothing.
 */
public final class ImageStore {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,127}");

    private final BerthPaths paths;

    public ImageStore(BerthPaths paths) {
        this.paths = paths;
    }

    public static void validateName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new BerthException("invalid image name '" + name
                    + "': use lower-case letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
    }

    public boolean exists(String name) {
        return Files.isRegularFile(paths.imageRecord(name));
    }

    public ImageRecord get(String name) {
        if (!NAME.matcher(name).matches() || !exists(name)) {
            throw new BerthException("no such image: " + name
                    + (name.equals(BusyboxImage.NAME) ? " (create it with: berth image create busybox)" : ""));
        }
        return Json.read(paths.imageRecord(name), ImageRecord.class);
    }

    public Path rootfs(String name) {
        return paths.imageRootfs(name);
    }

    public List<ImageRecord> list() {
        if (!Files.isDirectory(paths.images())) {
            return List.of();
        }
        List<ImageRecord> images = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(paths.images())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                Path record = dir.resolve("image.json");
                if (Files.isRegularFile(record)) {
                    images.add(Json.read(record, ImageRecord.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list images", e);
        }
        images.sort(Comparator.comparing(ImageRecord::name));
        return images;
    }

    /** Fills a fresh rootfs directory with populate, then publishes it as image name. */
    public ImageRecord add(String name, String source, List<String> command, RootfsWriter populate) {
        validateName(name);
        try (FileLock ignored = FileLock.acquire(paths.lock("images"))) {
            if (exists(name)) {
                throw new BerthException("image " + name + " already exists (remove it first with: berth image rm " + name + ")");
            }
            Files.createDirectories(paths.images());
            Path staging = Files.createTempDirectory(paths.images(), ".new-" + name + "-");
            try {
                Path rootfs = staging.resolve("rootfs");
                Files.createDirectory(rootfs);
                populate.write(rootfs);
                ImageRecord record = new ImageRecord(name, Instant.now().toString(), source, command,
                        List.of(), "/");
                Json.writeAtomically(staging.resolve("image.json"), record);
                Directories.deleteTree(paths.image(name)); // a leftover without image.json
                Files.move(staging, paths.image(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                return record;
            } finally {
                Directories.deleteTree(staging);
            }
        } catch (IOException e) {
            throw new BerthException("cannot create image " + name + ": " + e.getMessage(), e);
        }
    }

    /** Removes an image; the caller has checked that no container uses it. */
    public void remove(String name) {
        get(name);
        try (FileLock ignored = FileLock.acquire(paths.lock("images"))) {
            Path doomed = paths.images().resolve(".rm-" + name + "-" + System.nanoTime());
            Files.move(paths.image(name), doomed, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Directories.deleteTree(doomed);
        } catch (IOException e) {
            throw new BerthException("cannot remove image " + name + ": " + e.getMessage(), e);
        }
    }

    /** Writes an image's root filesystem into an empty directory. */
    @FunctionalInterface
    public interface RootfsWriter {
        void write(Path rootfs) throws IOException;
    }
}
