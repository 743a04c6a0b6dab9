package dev.berth.archive;

import dev.berth.BerthException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * A directory tree (or one file) as a tar stream and back: what {@code berth cp} moves between a
 * container and the host, with Docker's rules for where it lands. The stream's first entry names the
 * top: the source's base name, or {@code .} for "the directory's content" ({@code SRC/.}).
 *
 * <p>Extraction never leaves the destination: an entry with {@code ..} or an absolute name, a write
 * through a symbolic link (one the archive made or one already there), and a hard link to anything
 * outside the archive are refused with one error, and nothing is followed.
 */
public final class TreeArchive {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private TreeArchive() {}

    /** Writes source (a file, a link, or a directory recursively) as a tar whose top is top. */
    public static void write(Path source, String top, OutputStream out) {
        try {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    add(tar, dir, name(source, dir, top) + "/", attrs);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    add(tar, file, name(source, file, top), attrs);
                    return FileVisitResult.CONTINUE;
                }
            });
            tar.finish();
            tar.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot archive " + source + ": " + e.getMessage(), e);
        }
    }

    private static String name(Path source, Path file, String top) {
        String relative = source.relativize(file).toString();
        return relative.isEmpty() ? top : top + "/" + relative;
    }

    private static void add(TarArchiveOutputStream tar, Path file, String name, BasicFileAttributes attrs) throws IOException {
        TarArchiveEntry entry;
        if (attrs.isSymbolicLink()) {
            entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(file).toString());
        } else if (attrs.isDirectory() || attrs.isRegularFile()) {
            entry = new TarArchiveEntry(name);
            if (attrs.isRegularFile()) {
                entry.setSize(attrs.size());
            }
        } else {
            return; // sockets, devices, FIFOs: not copied (Docker copies devices; berth's containers have none of their own)
        }
        entry.setMode((Integer) Files.getAttribute(file, "unix:mode", NOFOLLOW) & 07777);
        entry.setIds((Integer) Files.getAttribute(file, "unix:uid", NOFOLLOW), (Integer) Files.getAttribute(file, "unix:gid", NOFOLLOW));
        entry.setModTime(attrs.lastModifiedTime());
        tar.putArchiveEntry(entry);
        if (attrs.isRegularFile()) {
            try (InputStream in = Files.newInputStream(file, NOFOLLOW)) {
                in.transferTo(tar);
            }
        }
        tar.closeArchiveEntry();
    }

    /** Where an archive goes: Docker's rules for {@code docker cp SRC DEST}. */
    public enum Placement {
        /** The archive's top becomes dest (when missing), or goes into dest (an existing directory). */
        AS_DEST,
        /** Every entry goes into dest, an existing directory, as it is named ({@code cp - CTR:DIR}). */
        INTO_DIRECTORY
    }

    /**
     * Extracts the archive at dest. preserveOwners keeps the entries' uid/gid ({@code cp -a}); otherwise
     * files belong to whoever extracts them (root), as with Docker.
     */
    public static void extract(InputStream in, Path dest, Placement placement, boolean preserveOwners) {
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry entry = tar.getNextEntry();
            if (entry == null) {
                return;
            }
            Path base;
            String top = null;
            if (placement == Placement.INTO_DIRECTORY) {
                if (!Files.isDirectory(dest)) {
                    throw new BerthException("destination " + dest + " must be a directory");
                }
                base = dest;
            } else {
                top = topOf(entry.getName());
                boolean topIsDirectory = entry.isDirectory();
                if (Files.isDirectory(dest) && !top.equals(".")) {
                    base = dest.resolve(top);
                } else if (Files.exists(dest, NOFOLLOW) && !Files.isDirectory(dest) && topIsDirectory) {
                    throw new BerthException("cannot copy a directory to a file: " + dest);
                } else if (!Files.exists(dest, NOFOLLOW) && (dest.getParent() == null || !Files.isDirectory(dest.getParent()))) {
                    throw new BerthException("no such directory: " + dest.getParent());
                } else {
                    base = dest;
                }
            }
            for (; entry != null; entry = tar.getNextEntry()) {
                String relative = placement == Placement.INTO_DIRECTORY ? clean(entry.getName()) : below(top, entry.getName());
                Path target = relative.isEmpty() ? base : base.resolve(relative);
                Path parentStop = placement == Placement.INTO_DIRECTORY ? dest : base.getParent();
                checkNoLinkBetween(parentStop, target.getParent());
                if (placement == Placement.INTO_DIRECTORY && !relative.isEmpty()) {
                    Files.createDirectories(target.getParent()); // an entry's missing parents, as Docker makes them
                }
                write(tar, entry, target, base, top, placement, preserveOwners);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract into " + dest + ": " + e.getMessage(), e);
        }
    }

    private static void write(TarArchiveInputStream tar, TarArchiveEntry entry, Path target, Path base, String top,
                              Placement placement, boolean preserveOwners) throws IOException {
        if (entry.isDirectory()) {
            if (Files.isSymbolicLink(target) || Files.exists(target, NOFOLLOW) && !Files.isDirectory(target, NOFOLLOW)) {
                throw new BerthException("cannot replace " + target + " with a directory");
            }
            Files.createDirectories(target);
        } else if (entry.isSymbolicLink()) {
            Files.deleteIfExists(target);
            Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
            String linked = placement == Placement.INTO_DIRECTORY ? clean(entry.getLinkName()) : below(top, entry.getLinkName());
            Path existing = linked.isEmpty() ? base : base.resolve(linked);
            if (!Files.isRegularFile(existing, NOFOLLOW)) {
                throw new BerthException("the archive's hard link " + entry.getName() + " does not point to one of its files");
            }
            Files.deleteIfExists(target);
            Files.createLink(target, existing);
            return;
        } else if (entry.isFile()) {
            if (Files.isDirectory(target, NOFOLLOW)) {
                throw new BerthException("cannot replace the directory " + target + " with a file");
            }
            Files.deleteIfExists(target);
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
        } else {
            return; // devices, FIFOs: not made
        }
        if (!entry.isSymbolicLink()) {
            Files.setAttribute(target, "unix:mode", entry.getMode() & 07777, NOFOLLOW);
            Files.setLastModifiedTime(target, FileTime.from(entry.getModTime().toInstant()));
        }
        if (preserveOwners) {
            Files.setAttribute(target, "unix:uid", (int) entry.getLongUserId(), NOFOLLOW);
            Files.setAttribute(target, "unix:gid", (int) entry.getLongGroupId(), NOFOLLOW);
        }
    }

    /** No symbolic link on the way from stop (excluded) down to dir (included): nothing is written through one. */
    private static void checkNoLinkBetween(Path stop, Path dir) {
        for (Path p = dir; p != null && !p.equals(stop); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new BerthException("refusing to write through the symbolic link " + p);
            }
        }
    }

    private static String topOf(String name) {
        String clean = name.startsWith("./") && name.length() > 2 ? name.substring(2) : name;
        int slash = clean.indexOf('/');
        String top = slash < 0 ? clean : clean.substring(0, slash);
        if (top.isEmpty() || top.equals("..")) {
            throw new BerthException("invalid archive entry '" + name + "'");
        }
        return top;
    }

    /** The part of name below top ("" for the top itself); a name under another top is refused. */
    private static String below(String top, String name) {
        String clean = name.startsWith("./") && name.length() > 2 && !top.equals(".") ? name.substring(2) : name;
        clean = clean.endsWith("/") ? clean.substring(0, clean.length() - 1) : clean;
        if (clean.equals(top)) {
            return "";
        }
        if (!clean.startsWith(top + "/")) {
            throw new BerthException("archive entry '" + name + "' is not under its first entry '" + top + "'");
        }
        return clean(clean.substring(top.length() + 1));
    }

    /** An entry's name made relative, refusing what could leave the destination. */
    private static String clean(String name) {
        String clean = name;
        while (clean.startsWith("/") || clean.startsWith("./")) {
            clean = clean.substring(clean.startsWith("/") ? 1 : 2);
        }
        clean = clean.endsWith("/") ? clean.substring(0, clean.length() - 1) : clean;
        for (String part : clean.split("/")) {
            if (part.equals("..")) {
                throw new BerthException("invalid archive entry '" + name + "': it leaves the destination");
            }
        }
        return clean.equals(".") ? "" : clean;
    }
}
