package dev.berth.state;

import dev.berth.BerthException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The container records under the state root. Creation and removal happen under one lock, so two
 * concurrent {@code berth run --name X} never both get X.
 */
public final class ContainerStore {
    private final BerthPaths paths;

    public ContainerStore(BerthPaths paths) {
        this.paths = paths;
    }

    /** Runs action while holding the store's lock (cross-process). */
    public <T> T locked(java.util.function.Supplier<T> action) {
        try (FileLock ignored = FileLock.acquire(paths.lock("containers"))) {
            return action.get();
        }
    }

    /** Creates the record and its directories; the caller holds the lock and has checked the name. */
    public void create(ContainerRecord record) {
        try {
            Files.createDirectories(paths.container(record.id()));
            Files.createDirectories(paths.upperDir(record.id()));
            Files.createDirectories(paths.workDir(record.id()));
            Files.createDirectories(paths.mergedDir(record.id()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create container directory", e);
        }
        Json.writeAtomically(paths.containerRecord(record.id()), record);
    }

    public void update(ContainerRecord record) {
        Json.writeAtomically(paths.containerRecord(record.id()), record);
    }

    public List<ContainerRecord> list() {
        if (!Files.isDirectory(paths.containers())) {
            return List.of();
        }
        List<ContainerRecord> records = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(paths.containers())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                Path record = dir.resolve("state.json");
                if (Files.isRegularFile(record)) {
                    records.add(Json.read(record, ContainerRecord.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list containers", e);
        }
        records.sort(Comparator.comparing(ContainerRecord::created).reversed());
        return records;
    }

    public Optional<ContainerRecord> byName(String name) {
        return list().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** A container by full name, full id or unique id prefix, as Docker resolves them. */
    public ContainerRecord find(String nameOrId) {
        List<ContainerRecord> all = list();
        Optional<ContainerRecord> exact = all.stream()
                .filter(r -> r.name().equals(nameOrId) || r.id().equals(nameOrId)).findFirst();
        if (exact.isPresent()) {
            return exact.get();
        }
        List<ContainerRecord> prefixed = all.stream().filter(r -> r.id().startsWith(nameOrId)).toList();
        if (prefixed.size() > 1) {
            throw new BerthException("container id prefix '" + nameOrId + "' is ambiguous: it matches "
                    + prefixed.size() + " containers");
        }
        if (prefixed.isEmpty() || nameOrId.isEmpty()) {
            throw new BerthException("no such container: " + nameOrId);
        }
        return prefixed.getFirst();
    }

    /** Deletes the record and everything under the container's directory (its writable layer too). */
    public void remove(String id) {
        Directories.deleteTree(paths.container(id));
    }
}
