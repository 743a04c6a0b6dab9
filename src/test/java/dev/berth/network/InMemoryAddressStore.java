package dev.berth.network;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** Reservations in a map, with a real lock: the allocator's logic without files. */
final class InMemoryAddressStore implements AddressStore {
    private final Map<String, Map<String, String>> byNetwork = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();

    @Override
    public <T> T locked(String network, Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public synchronized Map<String, String> reservations(String network) {
        return new TreeMap<>(byNetwork.getOrDefault(network, Map.of()));
    }

    @Override
    public synchronized void put(String network, String address, String containerId) {
        byNetwork.computeIfAbsent(network, n -> new HashMap<>()).put(address, containerId);
    }

    @Override
    public synchronized void delete(String network, String address) {
        byNetwork.getOrDefault(network, new HashMap<>()).remove(address);
    }
}
