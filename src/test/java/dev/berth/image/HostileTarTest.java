package dev.berth.image;

import dev.berth.BerthException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The tar importer on corrupted archives (a seeded generator of our own, bounded in count and time):
 * bytes of a valid archive flipped, headers rewritten, the stream cut short. Each unpack finishes
 * promptly, fails only with a {@link BerthException} or an {@link IOException} (which the importer
 * reports as one line), and writes nothing outside the root. -Dberth.fuzz.seed=N replays a seed.
 */
class HostileTarTest {
    private static final long SEED = Long.getLong("berth.fuzz.seed", 20261203L);
    private static final int ARCHIVES = Integer.getInteger("berth.fuzz.inputs", 4000) / 10;

    @TempDir
    Path dir;

    private static byte[] validArchive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry d = new TarArchiveEntry("etc/");
            d.setMode(0755);
            out.putArchiveEntry(d);
            out.closeArchiveEntry();
            byte[] content = "root:x:0:0::/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry f = new TarArchiveEntry("etc/passwd");
            f.setSize(content.length);
            f.setMode(0644);
            out.putArchiveEntry(f);
            out.write(content);
            out.closeArchiveEntry();
            TarArchiveEntry l = new TarArchiveEntry("etc/link", TarArchiveEntry.LF_SYMLINK);
            l.setLinkName("passwd");
            out.putArchiveEntry(l);
            out.closeArchiveEntry();
            TarArchiveEntry h = new TarArchiveEntry("etc/hard", TarArchiveEntry.LF_LINK);
            h.setLinkName("etc/passwd");
            out.putArchiveEntry(h);
            out.closeArchiveEntry();
            TarArchiveEntry p = new TarArchiveEntry("run/pipe", TarArchiveEntry.LF_FIFO);
            p.setMode(0600);
            out.putArchiveEntry(p);
            out.closeArchiveEntry();
            TarArchiveEntry longName = new TarArchiveEntry("deep/" + "x".repeat(150) + "/file");
            longName.setSize(1);
            out.putArchiveEntry(longName);
            out.write('y');
            out.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static byte[] corrupted(byte[] valid, Random random) {
        byte[] bytes = valid.clone();
        switch (random.nextInt(4)) {
            case 0 -> { // bytes flipped anywhere
                for (int i = random.nextInt(8) + 1; i > 0; i--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> { // a header field rewritten: name, mode, size, type, link name of some entry
                int header = 512 * random.nextInt(bytes.length / 512);
                int[][] fields = {{0, 100}, {100, 8}, {124, 12}, {156, 1}, {157, 100}, {345, 155}};
                int[] field = fields[random.nextInt(fields.length)];
                String[] values = {"../../escaped", "/abs", "7777777777", "-1", "\0", "5", "3", "4", "L", "x", "..", "/"};
                byte[] value = values[random.nextInt(values.length)].getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(value, 0, bytes, header + field[0], Math.min(value.length, field[1]));
            }
            case 2 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length)); // cut short
            default -> { // a block repeated
                int from = 512 * random.nextInt(bytes.length / 512);
                int to = 512 * random.nextInt(bytes.length / 512);
                System.arraycopy(bytes, from, bytes, to, 512);
            }
        }
        return bytes;
    }

    @Test
    void corruptedArchivesFailCleanlyPromptlyAndInsideTheRoot() throws Exception {
        byte[] valid = validArchive();
        Random random = new Random(SEED);
        Path outside = Files.createDirectories(dir.resolve("outside"));
        long deadline = System.nanoTime() + 20_000_000_000L;
        for (int i = 0; i < ARCHIVES && System.nanoTime() < deadline; i++) {
            byte[] archive = corrupted(valid, random);
            Path root = Files.createDirectories(outside.resolve("root-" + i));
            int n = i;
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try {
                    LayerUnpacker.unpackRootfs(new ByteArrayInputStream(archive), root);
                } catch (BerthException | IOException e) {
                    assertThat(e.getMessage()).as("archive %d, seed %d", n, SEED).isNotNull().doesNotContain("\n");
                } catch (RuntimeException e) {
                    throw new AssertionError("archive " + n + " (seed " + SEED + ") threw " + e, e);
                }
            });
            try (Stream<Path> left = Files.list(outside)) {
                assertThat(left.map(p -> p.getFileName().toString())).as("archive %d, seed %d", n, SEED)
                        .allMatch(name -> name.startsWith("root-"));
            }
            dev.berth.state.Directories.deleteTree(root);
        }
    }
}
