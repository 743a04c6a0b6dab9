package dev.berth.json;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** JSON records on disk, written atomically: a crash leaves the old file or the new one, never half. */
public final class Json {
    private static final JSON JSON = com.fasterxml.jackson.jr.ob.JSON.builder()
            .enable(com.fasterxml.jackson.jr.ob.JSON.Feature.PRETTY_PRINT_OUTPUT)
            .enable(com.fasterxml.jackson.jr.ob.JSON.Feature.WRITE_NULL_PROPERTIES)
            .build();

    private static final JSON COMPACT = com.fasterxml.jackson.jr.ob.JSON.builder()
            .enable(com.fasterxml.jackson.jr.ob.JSON.Feature.WRITE_NULL_PROPERTIES)
            .build();

    private Json() {}

    public static void writeAtomically(Path file, Object value) {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            byte[] bytes = JSON.asBytes(value);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static <T> T read(Path file, Class<T> type) {
        try {
            return JSON.beanFrom(type, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static <T> T parse(String json, Class<T> type) {
        try {
            return JSON.beanFrom(type, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON object as maps, lists, strings, numbers and booleans. */
    public static Map<String, Object> parseObject(String json) {
        try {
            return JSON.mapFrom(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any JSON value as maps, lists, strings, numbers and booleans. */
    public static Object parseAny(String json) {
        try {
            return JSON.anyFrom(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** On one line, without spaces: for JSON lines (a log) and for programs that read it (hooks). */
    public static String renderCompact(Object value) {
        try {
            return COMPACT.asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String render(Object value) {
        try {
            return JSON.asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
