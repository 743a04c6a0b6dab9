package dev.berth.state;

import dev.berth.json.Json;
import dev.berth.BerthException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
        java.util.Set<Path> seen = new java.util.HashSet<>();
        try (Stream<Path> dirs = Files.list(paths.containers())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                Path record = dir.resolve("state.json");
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(record, BasicFileAttributes.class);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (attributes.isRegularFile()) {
                    records.add(read(record, attributes));
                    seen.add(record);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list containers", e);
        }
        PARSED.keySet().removeIf(file -> file.startsWith(paths.containers()) && !seen.contains(file));
        records.sort(Comparator.comparing(ContainerRecord::created).reversed());
        return records;
    }

    /**
     * Records parsed before, by file: every write replaces the file (a new inode, a new modification
     * time), so the same inode, time and size mean the same record. Every command lists all records,
     * often twice; a long-lived supervisor then parses only what changed.
     */
    private static final Map<Path, Parsed> PARSED = new ConcurrentHashMap<>();

    private record Version(Object fileKey, FileTime modified, long size) {}

    private record Parsed(Version version, ContainerRecord record) {}

    private static ContainerRecord read(Path file, BasicFileAttributes attributes) {
        Version version = new Version(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
        Parsed parsed = PARSED.get(file);
        if (parsed != null && attributes.fileKey() != null && parsed.version().equals(version)) {
            return parsed.record();
        }
        ContainerRecord record = parse(file);
        PARSED.put(file, new Parsed(version, record));
        return record;
    }

    /** The record at id, as it is on disk now. */
    public ContainerRecord read(String id) {
        return parse(paths.containerRecord(id));
    }

    private static final List<String> SOURCE = List.of("image", "rootfs", "command"),
            PROCESS = List.of("pid", "pidStartTime", "exitCode", "startedAt", "finishedAt", "oomKilled"),
            NETWORK = List.of("network", "attachment", "ports", "aliases"),
            POLICY = List.of("autoRemove", "restartPolicy", "restartCount", "detached");

    /**
     * A record file, in this version's shape or in the flat one of berth 0.1 (every field at the top), so
     * that containers made before an upgrade are still seen, reconciled and removable.
     */
    static ContainerRecord parse(Path file) {
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, Object> fields = Json.parseObject(json);
        if (fields.containsKey("source")) {
            return Json.parse(json, ContainerRecord.class);
        }
        Map<String, Object> nested = new java.util.LinkedHashMap<>();
        for (String key : List.of("id", "name", "created", "status")) {
            nested.put(key, fields.get(key));
        }
        nested.put("source", pick(fields, SOURCE));
        nested.put("process", pick(fields, PROCESS));
        Map<String, Object> network = pick(fields, NETWORK);
        network.put("mode", network.remove("network"));
        nested.put("network", network);
        nested.put("policy", pick(fields, POLICY));
        return Json.parse(Json.render(nested), ContainerRecord.class);
    }

    private static Map<String, Object> pick(Map<String, Object> fields, List<String> keys) {
        Map<String, Object> picked = new java.util.LinkedHashMap<>();
        keys.forEach(k -> picked.put(k, fields.get(k)));
        return picked;
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
        PARSED.remove(paths.containerRecord(id));
        Directories.deleteTree(paths.container(id));
    }
}
