package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.archive.PathStat;
import dev.berth.archive.TreeArchive;
import dev.berth.json.Json;
import dev.berth.runtime.ContainerFilesystem;
import dev.berth.runtime.Overlay;
import dev.berth.spec.ContainerSpec;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;
import dev.berth.state.ContainerStore;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code berth cp}'s container side: a tar of a path inside a container, or a tar unpacked at one, done
 * from inside the container's filesystem ({@link ContainerFilesystem}) so that its symbolic links can
 * never lead outside its root. A running container is entered; a stopped one is assembled for the copy,
 * under the containers lock so that it cannot start meanwhile.
 */
final class ContainerCopy {
    private final BerthPaths paths;
    private final ContainerStore containers;
    private final ContainerLifecycle lifecycle;

    ContainerCopy(BerthPaths paths, ContainerStore containers, ContainerLifecycle lifecycle) {
        this.paths = paths;
        this.containers = containers;
        this.lifecycle = lifecycle;
    }

    /** Writes path (recursively) as a tar: its top is path's base name, or "." for DIR/. (the content). */
    void archive(String nameOrId, String path, OutputStream out) {
        ContainerRecord record = lifecycle.inspect(nameOrId);
        within(record, () -> {
            Path source = Path.of(absolute(path));
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new BerthException("could not find the file " + path + " in container " + record.name());
            }
            TreeArchive.write(source, top(path), out);
            return null;
        });
    }

    /** Unpacks a tar at path inside the container, by Docker's placement rules. */
    void extract(String nameOrId, String path, InputStream tar, TreeArchive.Placement placement, boolean preserveOwners) {
        ContainerRecord record = lifecycle.inspect(nameOrId);
        within(record, () -> {
            TreeArchive.extract(tar, Path.of(absolute(path)), placement, preserveOwners);
            return null;
        });
    }

    /**
     * What a path inside the container is, without following a last symbolic link: Docker's
     * {@code X-Docker-Container-Path-Stat} (mode in Go's FileMode bits). Null when there is nothing there.
     */
    PathStat stat(String nameOrId, String path) {
        ContainerRecord record = lifecycle.inspect(nameOrId);
        PathStat[] result = new PathStat[1];
        within(record, () -> {
            Path p = Path.of(absolute(path));
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                var attributes = Files.readAttributes(p, "unix:mode,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) attributes.get("mode");
                String link = Files.isSymbolicLink(p) ? Files.readSymbolicLink(p).toString() : "";
                Path name = p.getFileName();
                result[0] = new PathStat(name == null ? "/" : name.toString(), (Long) attributes.get("size"),
                        PathStat.goMode(mode), attributes.get("lastModifiedTime").toString(), link);
            }
            return null;
        });
        return result[0];
    }

    /** The tar's top for a source path: DIR/. means the directory's content. */
    static String top(String path) {
        if (path.endsWith("/.") || path.equals(".") || path.replaceAll("/+", "/").equals("/")) {
            return ".";
        }
        Path name = Path.of(path).getFileName();
        return name == null ? "." : name.toString();
    }

    private static String absolute(String path) {
        return path.startsWith("/") ? path : "/" + path;
    }

    private void within(ContainerRecord record, Callable<Void> work) {
        warmUp();
        switch (record.status()) {
            case RUNNING -> ContainerFilesystem.ofRunning(record.pid(), work);
            case CREATED -> {
                if (record.pid() != dev.berth.linux.Libc.getpid()) {
                    throw new BerthException("container " + record.name() + " is being created or started: try again");
                }
                assembled(record, ContainerRecord.Status.CREATED, work); // created here, not started yet
            }
            case EXITED -> assembled(record, ContainerRecord.Status.EXITED, work);
        }
    }

    /** The container's filesystem put together for work, if it is still in status (it has no process). */
    private void assembled(ContainerRecord record, ContainerRecord.Status status, Callable<Void> work) {
        containers.locked(() -> {
            ContainerRecord now = containers.find(record.id());
            if (now.status() != status) {
                throw new BerthException("container " + record.name() + " started meanwhile: try again");
            }
            ContainerSpec spec = Json.read(paths.containerConfig(record.id()), ContainerSpec.class);
            Overlay overlay = new Overlay(record.lowerDirs().stream().map(Path::of).toList(),
                    paths.upperDir(record.id()), paths.workDir(record.id()));
            return ContainerFilesystem.ofStopped(spec, overlay, work);
        });
    }

    /**
     * Loads the archive's classes while this thread still sees the host's files: the copy runs where the
     * JDK's and berth's jars are not reachable by path.
     */
    private static void warmUp() {
        try {
            Path dir = Files.createTempDirectory("berth-cp");
            try {
                Files.writeString(dir.resolve("f"), "x");
                var tar = new java.io.ByteArrayOutputStream();
                TreeArchive.write(dir, "d", tar);
                TreeArchive.extract(new java.io.ByteArrayInputStream(tar.toByteArray()), dir.resolve("copy"),
                        TreeArchive.Placement.AS_DEST, false);
            } finally {
                dev.berth.state.Directories.deleteTree(dir);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
