package dev.berth.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a file under the run root, held across berth processes and across the threads
 * of one (the supervisor serves requests concurrently, and a JVM's file locks are per process). A thread
 * that holds it may take it again.
 */
public final class FileLock implements AutoCloseable {
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock threads;
    private final FileChannel channel;
    private final java.nio.channels.FileLock lock;

    private FileLock(ReentrantLock threads, FileChannel channel, java.nio.channels.FileLock lock) {
        this.threads = threads;
        this.channel = channel;
        this.lock = lock;
    }

    public static FileLock acquire(Path file) {
        ReentrantLock threads = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new ReentrantLock());
        threads.lock();
        if (threads.getHoldCount() > 1) {
            return new FileLock(threads, null, null); // this thread holds the file lock already
        }
        try {
            Files.createDirectories(file.getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new FileLock(threads, channel, lock(channel));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            threads.unlock();
            throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            threads.unlock();
            throw e;
        }
    }

    /**
     * The file lock, waited for. The kernel's deadlock check sees processes, not threads: two berth
     * processes whose threads each hold one layer's lock and wait for the other's get EDEADLK although
     * no thread waits for itself. berth takes its locks in one order (the containers lock before the
     * network and address locks; a layer's lock alone), so that is not a real deadlock: the other thread
     * lets go once its layer is unpacked, and the wait goes on (bounded: ten minutes).
     */
    private static java.nio.channels.FileLock lock(FileChannel channel) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return channel.lock();
            } catch (IOException e) {
                if (attempt >= 30_000 || !String.valueOf(e.getMessage()).contains("deadlock")) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for a lock");
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null) {
                lock.release();
                channel.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            threads.unlock();
        }
    }
}
