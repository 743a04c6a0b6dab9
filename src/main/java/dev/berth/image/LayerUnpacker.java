package dev.berth.image;

import dev.berth.BerthException;
import dev.berth.linux.Libc;
import dev.berth.state.Directories;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Unpacks one tar stream (an image layer, or a root filesystem tarball from {@code docker export} or
 * debootstrap) into a fresh directory that only berth writes to. An entry that would land outside the
 * directory, by a {@code ..} component or through a symbolic link unpacked earlier, is refused, so is a
 * hard link to anything but a regular file of the same tar. Device nodes are skipped (every container
 * gets its own /dev). In an image layer, the OCI whiteouts become overlayfs's: {@code .wh.NAME} a 0/0
 * character device, {@code .wh..wh..opq} the {@code trusted.overlay.opaque} attribute of its directory.
 */
public final class LayerUnpacker {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    /** Owners and overlay whiteouts are root's to make: nobody else may give a file away or mknod. */
    private static final boolean AS_ROOT = Libc.geteuid() == 0;

    /** What an unpacking did. */
    public record Result(long entries, long bytes, int skippedDevices) {}

    private final Path root;
    private final boolean layer;
    private long entries;
    private long bytes;
    private int skippedDevices;
    private final List<Runnable> directoryTimes = new ArrayList<>();

    private LayerUnpacker(Path root, boolean layer) {
        this.root = root;
        this.layer = layer;
    }

    /** Unpacks a root filesystem tarball (whiteout names are ordinary files there). */
    public static Result unpackRootfs(InputStream tar, Path root) throws IOException {
        return unpack(tar, root, false);
    }

    /** Unpacks an image layer, turning its whiteouts into overlayfs's form. */
    public static Result unpackLayer(InputStream tar, Path root) throws IOException {
        return unpack(tar, root, true);
    }

    private static Result unpack(InputStream tar, Path root, boolean layer) throws IOException {
        LayerUnpacker unpacker = new LayerUnpacker(root, layer);
        TarArchiveInputStream in = new TarArchiveInputStream(tar); // not closed: the caller drains tar
        TarArchiveEntry entry;
        while ((entry = in.getNextEntry()) != null) {
            unpacker.entries++;
            unpacker.extract(entry, in);
        }
        unpacker.directoryTimes.reversed().forEach(Runnable::run);
        return new Result(unpacker.entries, unpacker.bytes, unpacker.skippedDevices);
    }

    private void extract(TarArchiveEntry entry, InputStream data) throws IOException {
        if (entry.getName().indexOf('\0') >= 0 || entry.getLinkName().indexOf('\0') >= 0) {
            throw refused(entry.getName(), "its name or link target has a NUL character");
        }
        Path target = inside(entry.getName());
        if (target.equals(root)) {
            return; // the archive's "./": the root directory itself
        }
        checkParents(entry.getName(), target);
        String base = target.getFileName().toString();
        if (layer && base.startsWith(WHITEOUT)) {
            whiteout(entry.getName(), target.getParent(), base);
            return;
        }
        if (entry.isCharacterDevice() || entry.isBlockDevice()) {
            skippedDevices++;
            return;
        }
        if (entry.isDirectory()) {
            if (!Files.isDirectory(target, NOFOLLOW)) {
                removeExisting(target);
                Files.createDirectory(target);
            }
        } else {
            removeExisting(target);
            if (entry.isSymbolicLink()) {
                Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            } else if (entry.isLink()) {
                Path source = inside(entry.getLinkName());
                checkParents(entry.getLinkName(), source);
                if (Files.isSymbolicLink(source) || !Files.isRegularFile(source, NOFOLLOW)) {
                    throw refused(entry.getName(), "hard link to '" + entry.getLinkName() + "', which is not a regular file of the same layer");
                }
                Files.createLink(target, source);
                return;
            } else if (entry.isFIFO()) {
                Libc.mkfifo(target.toString(), 0600);
            } else if (entry.isFile()) {
                bytes += Files.copy(data, target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                throw refused(entry.getName(), "unsupported entry type");
            }
        }
        applyMetadata(entry, target);
    }

    private void whiteout(String name, Path dir, String base) throws IOException {
        if (!AS_ROOT) {
            throw refused(name, "whiteouts can only be made by root");
        }
        if (base.equals(OPAQUE)) {
            Libc.lsetxattr(dir.toString(), "trusted.overlay.opaque", "y".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        if (base.startsWith(WHITEOUT + WHITEOUT)) {
            return; // other AUFS metadata (.wh..wh.plnk and the like) means nothing to overlayfs
        }
        Path hidden = dir.resolve(base.substring(WHITEOUT.length()));
        removeExisting(hidden);
        Libc.mknod(hidden.toString(), 0020000 /* S_IFCHR */, 0, 0);
    }

    /** The entry's path under the root; names with ".." components are refused outright. */
    private Path inside(String name) {
        Path path = root;
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw refused(name, "path escapes the root filesystem");
            }
            path = path.resolve(part);
        }
        return path;
    }

    /** Refuses to write through a symbolic link an earlier entry created, or under a non-directory. */
    private void checkParents(String name, Path target) {
        for (Path p = target.getParent(); p != null && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw refused(name, "its parent '" + root.relativize(p) + "' is a symbolic link");
            }
        }
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw refused(name, "cannot create its parent directory: " + e.getMessage());
        }
    }

    private static void removeExisting(Path target) throws IOException {
        if (Files.isDirectory(target, NOFOLLOW)) {
            Directories.deleteTree(target);
        } else {
            Files.deleteIfExists(target);
        }
    }

    private void applyMetadata(TarArchiveEntry entry, Path target) throws IOException {
        if (AS_ROOT) {
            Files.setAttribute(target, "unix:uid", (int) entry.getLongUserId(), NOFOLLOW);
            Files.setAttribute(target, "unix:gid", (int) entry.getLongGroupId(), NOFOLLOW);
            applyXattrs(entry, target);
        }
        if (entry.isSymbolicLink()) {
            return;
        }
        if (entry.isFIFO()) {
            // by path, never opened: the JDK's setters open the file, and opening a FIFO waits for a writer
            Libc.chmod(target.toString(), entry.getMode() & 07777);
            java.time.Instant time = entry.getModTime().toInstant();
            Libc.setTimes(target.toString(), time.getEpochSecond(), time.getNano());
            return;
        }
        Files.setAttribute(target, "unix:mode", entry.getMode() & 07777, NOFOLLOW);
        FileTime modified = FileTime.from(entry.getModTime().toInstant());
        if (entry.isDirectory()) {
            directoryTimes.add(() -> setTime(target, modified)); // after its contents are written
        } else {
            Files.setLastModifiedTime(target, modified);
        }
    }

    /**
     * {@code user.*} attributes are kept; {@code trusted.*} ones (overlayfs's own among them) never come
     * from a layer, and {@code security.capability} is binary, which the tar reader's text headers cannot
     * carry intact (containers get Docker's capability set, so ping and the like work without it).
     */
    private static void applyXattrs(TarArchiveEntry entry, Path target) {
        for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
            if (!header.getKey().startsWith("SCHILY.xattr.")) {
                continue;
            }
            String name = header.getKey().substring("SCHILY.xattr.".length());
            if (name.startsWith("user.")) {
                Libc.lsetxattr(target.toString(), name, header.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void setTime(Path path, FileTime time) {
        try {
            Files.setLastModifiedTime(path, time);
        } catch (IOException ignored) {
            // a timestamp is not worth failing an import for
        }
    }

    private static BerthException refused(String entry, String why) {
        return new BerthException("refusing tar entry '" + entry + "': " + why);
    }
}
