package dev.berth.image;

import dev.berth.BerthException;
import dev.berth.linux.Libc;
import dev.berth.state.Directories;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Unpacks a root filesystem tarball (plain or gzip: {@code docker export}, debootstrap, mkosi…) into an
 * image directory. An entry that would land outside the directory, directly or through a symbolic link
 * unpacked earlier, is refused; device nodes are skipped, since every container gets its own /dev.
 */
public final class TarImporter {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path rootfs;
    private int skippedDevices;
    private final List<Runnable> directoryTimes = new ArrayList<>();

    private TarImporter(Path rootfs) {
        this.rootfs = rootfs;
    }

    /** Unpacks tar into rootfs (an empty directory); returns how many device nodes were skipped. */
    public static int unpack(Path tar, Path rootfs) throws IOException {
        TarImporter importer = new TarImporter(rootfs);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tar));
             TarArchiveInputStream in = new TarArchiveInputStream(decompressed(raw))) {
            TarArchiveEntry entry;
            boolean any = false;
            while ((entry = in.getNextEntry()) != null) {
                any = true;
                importer.extract(entry, in);
            }
            if (!any) {
                throw new BerthException(tar + " is not a tar archive, or is empty");
            }
        }
        importer.directoryTimes.reversed().forEach(Runnable::run);
        return importer.skippedDevices;
    }

    private static InputStream decompressed(InputStream in) throws IOException {
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GzipCompressorInputStream(in) : in;
    }

    private void extract(TarArchiveEntry entry, InputStream data) throws IOException {
        if (entry.isCharacterDevice() || entry.isBlockDevice()) {
            skippedDevices++;
            return;
        }
        Path target = inside(entry.getName());
        if (target.equals(rootfs)) {
            return; // the archive's "./": the root directory itself
        }
        checkParents(entry.getName(), target);
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
                    throw refused(entry.getName(), "hard link to '" + entry.getLinkName() + "', which is not a regular file of the archive");
                }
                Files.createLink(target, source);
                return;
            } else if (entry.isFIFO()) {
                Libc.mkfifo(target.toString(), 0600);
            } else if (entry.isFile()) {
                Files.copy(data, target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                throw refused(entry.getName(), "unsupported entry type");
            }
        }
        applyMetadata(entry, target);
    }

    /** The entry's path under rootfs; names with ".." components are refused outright. */
    private Path inside(String name) {
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw refused(name, "path escapes the root filesystem");
            }
            parts.add(part);
        }
        Path path = rootfs;
        for (String part : parts) {
            path = path.resolve(part);
        }
        return path;
    }

    /** Refuses to write through a symbolic link an earlier entry created, or under a non-directory. */
    private void checkParents(String name, Path target) {
        for (Path p = target.getParent(); p != null && !p.equals(rootfs); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw refused(name, "its parent '" + rootfs.relativize(p) + "' is a symbolic link");
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

    /** Owners are kept only by root (as tar does): nobody else may give a file away. */
    private static final boolean KEEPS_OWNERS = dev.berth.linux.Libc.geteuid() == 0;

    private void applyMetadata(TarArchiveEntry entry, Path target) throws IOException {
        if (KEEPS_OWNERS) {
            Files.setAttribute(target, "unix:uid", (int) entry.getLongUserId(), NOFOLLOW);
            Files.setAttribute(target, "unix:gid", (int) entry.getLongGroupId(), NOFOLLOW);
        }
        if (entry.isSymbolicLink()) {
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
