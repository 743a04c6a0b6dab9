package dev.berth.network;

import dev.berth.state.BerthPaths;
import dev.berth.state.FileLock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Reservations as files {@code networks/NAME/addresses/IP} holding the container id, under a file lock. */
public final class FileAddressStore implements AddressStore {
    private final BerthPaths paths;

    public FileAddressStore(BerthPaths paths) {
        this.paths = paths;
    }

    @Override
    public <T> T locked(String network, Supplier<T> action) {
        try (FileLock ignored = FileLock.acquire(paths.lock("network-" + network))) {
            return action.get();
        }
    }

    @Override
    public Map<String, String> reservations(String network) {
        Path dir = paths.networkAddresses(network);
        Map<String, String> held = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return held;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                try {
                    held.put(f.getFileName().toString(), Files.readString(f).strip());
                } catch (java.nio.file.NoSuchFileException released) {
                    // given back while we listed
                }
            }
            return held;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void put(String network, String address, String containerId) {
        try {
            Files.createDirectories(paths.networkAddresses(network));
            Files.writeString(paths.networkAddresses(network).resolve(address), containerId + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(String network, String address) {
        try {
            Files.deleteIfExists(paths.networkAddresses(network).resolve(address));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
