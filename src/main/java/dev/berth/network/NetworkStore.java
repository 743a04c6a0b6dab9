package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.state.BerthPaths;
import dev.berth.state.Directories;
import dev.berth.state.FileLock;
import dev.berth.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The network records under the state root ({@code networks/NAME/network.json}), nothing in the kernel. */
public final class NetworkStore {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}");

    private final BerthPaths paths;

    public NetworkStore(BerthPaths paths) {
        this.paths = paths;
    }

    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    /** Runs action holding the lock that orders the creation and removal of networks. */
    public <T> T locked(Supplier<T> action) {
        try (FileLock ignored = FileLock.acquire(paths.lock("networks"))) {
            return action.get();
        }
    }

    public Optional<NetworkRecord> find(String name) {
        if (!isValidName(name) || !Files.isRegularFile(paths.networkRecord(name))) {
            return Optional.empty();
        }
        return Optional.of(Json.read(paths.networkRecord(name), NetworkRecord.class));
    }

    public List<NetworkRecord> list() {
        if (!Files.isDirectory(paths.networks())) {
            return List.of();
        }
        List<NetworkRecord> networks = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(paths.networks())) {
            for (Path dir : dirs.toList()) {
                if (Files.isRegularFile(dir.resolve("network.json"))) {
                    networks.add(Json.read(dir.resolve("network.json"), NetworkRecord.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        networks.sort(Comparator.comparing(NetworkRecord::name));
        return networks;
    }

    /** Writes a new record; refused when one of that name exists. */
    public void add(NetworkRecord record) {
        if (Files.exists(paths.networkRecord(record.name()))) {
            throw new BerthException("network " + record.name() + " already exists");
        }
        try {
            Files.createDirectories(paths.networkAddresses(record.name()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Json.writeAtomically(paths.networkRecord(record.name()), record);
    }

    /** Removes a network's record and its reservations. */
    public void delete(String name) {
        Directories.deleteTree(paths.network(name));
    }
}
