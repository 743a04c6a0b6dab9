package dev.berth.cli;

import dev.berth.BerthException;
import dev.berth.api.Berth;
import dev.berth.archive.TreeArchive;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code berth cp}: files between a container (running or stopped) and the host, either way, with
 * Docker's rules; {@code -} is a tar stream on standard input or output.
 */
@Command(name = "cp", mixinStandardHelpOptions = true,
        description = {"Copy files between a container and the host.",
                "  berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-",
                "  berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH"})
final class CpCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-a", "--archive"}, description = "Keep the files' owners (uid/gid).")
    boolean archive;

    @Option(names = {"-L", "--follow-link"}, description = "Follow a symbolic link given as the source.")
    boolean followLink;

    @Parameters(index = "0", paramLabel = "SRC")
    String source;

    @Parameters(index = "1", paramLabel = "DEST")
    String destination;

    @Override
    public void run() {
        Berth berth = Main.berth(spec);
        String[] from = split(source);
        String[] to = split(destination);
        if ((from == null) == (to == null)) {
            throw new BerthException("copying between containers or within the host is not supported: exactly one of "
                    + "SRC and DEST must be CONTAINER:PATH");
        }
        if (from != null) {
            if (destination.equals("-")) {
                OutputStream out = System.out;
                berth.copyFromContainer(from[0], from[1], out);
                flush(out);
            } else {
                Path dest = Main.absolute(spec, Path.of(destination));
                piped(out -> berth.copyFromContainer(from[0], from[1], out),
                        in -> TreeArchive.extract(in, dest, TreeArchive.Placement.AS_DEST, archive));
            }
        } else if (source.equals("-")) {
            berth.copyToContainer(to[0], to[1], System.in, TreeArchive.Placement.INTO_DIRECTORY, archive);
        } else {
            Path src = Main.absolute(spec, Path.of(source));
            if (followLink) {
                try {
                    src = src.toRealPath();
                } catch (IOException e) {
                    throw new BerthException("cannot follow " + source + ": " + e.getMessage(), e);
                }
            }
            if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
                throw new BerthException("no such file or directory: " + source);
            }
            Path top = src;
            String topName = source.endsWith("/.") ? "." : top.getFileName() == null ? "." : top.getFileName().toString();
            piped(out -> TreeArchive.write(top, topName, out),
                    in -> berth.copyToContainer(to[0], to[1], in, TreeArchive.Placement.AS_DEST, archive));
        }
    }

    /** CONTAINER:PATH as {container, path}; null for a host path (absolute, ./relative, or without a colon). */
    private static String[] split(String argument) {
        int colon = argument.indexOf(':');
        if (colon <= 0 || argument.startsWith("/") || argument.startsWith(".")) {
            return null;
        }
        String path = argument.substring(colon + 1);
        return new String[]{argument.substring(0, colon), path.isEmpty() ? "/" : path};
    }

    /**
     * The producer writes a tar on a thread of its own into a pipe; the consumer reads it here. Which
     * failure is reported: berth's own error of either side, else the consumer's.
     */
    private static void piped(Consumer<OutputStream> producer, Consumer<InputStream> consumer) {
        AtomicReference<RuntimeException> produced = new AtomicReference<>();
        try {
            Pipe pipe = Pipe.open();
            Thread thread = Thread.ofPlatform().name("berth-cp").start(() -> {
                try (OutputStream out = Channels.newOutputStream(pipe.sink())) {
                    producer.accept(out);
                } catch (RuntimeException e) {
                    produced.set(e);
                } catch (IOException e) {
                    produced.set(new UncheckedIOException(e));
                }
            });
            RuntimeException consumed = null;
            try (InputStream in = Channels.newInputStream(pipe.source())) {
                consumer.accept(in);
                in.transferTo(OutputStream.nullOutputStream()); // the tar's padding: the producer must not block
            } catch (RuntimeException e) {
                consumed = e;
            }
            thread.join();
            if (produced.get() != null && (consumed == null || produced.get() instanceof BerthException)) {
                throw produced.get();
            }
            if (consumed != null) {
                throw consumed;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException("interrupted");
        }
    }

    private static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
