package dev.berth.network;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Where address reservations live: one entry per reserved address of a network, naming the container
 * that holds it. {@link FileAddressStore} keeps them as files under the state root; the allocator's logic
 * ({@link IpAllocator}) knows nothing of files, so it is tested on an in-memory store.
 */
public interface AddressStore {
    /** Runs action while holding the network's reservation lock (across processes and threads). */
    <T> T locked(String network, Supplier<T> action);

    /** Address → holder id of every reservation on the network. */
    Map<String, String> reservations(String network);

    /** Records that containerId holds address; the caller checked it is free, under the lock. */
    void put(String network, String address, String containerId);

    /** Forgets one reservation. */
    void delete(String network, String address);
}
