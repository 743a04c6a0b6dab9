package dev.berth.image;

import dev.berth.BerthException;
import dev.berth.linux.Libc;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Root filesystem tarballs: what is unpacked, and what is refused before it can escape. */
class LayerUnpackerTest {
    @TempDir
    Path dir;

    /** Builds a tar (gzip when the name ends in .gz); entries are owned by whoever runs the test. */
    private final class Tar implements AutoCloseable {
        final Path path;
        final TarArchiveOutputStream out;

        Tar(String name) throws IOException {
            path = dir.resolve(name);
            OutputStream raw = Files.newOutputStream(path);
            out = new TarArchiveOutputStream(name.endsWith(".gz") ? new GzipCompressorOutputStream(raw) : raw);
        }

        Tar file(String name, String content, int mode) throws IOException {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = owned(new TarArchiveEntry(name));
            e.setSize(bytes.length);
            e.setMode(mode);
            out.putArchiveEntry(e);
            out.write(bytes);
            out.closeArchiveEntry();
            return this;
        }

        Tar dir(String name) throws IOException {
            TarArchiveEntry e = owned(new TarArchiveEntry(name.endsWith("/") ? name : name + "/"));
            e.setMode(0755);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        Tar link(String name, String target, byte type) throws IOException {
            TarArchiveEntry e = owned(new TarArchiveEntry(name, type));
            e.setLinkName(target);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        Tar device(String name) throws IOException {
            TarArchiveEntry e = owned(new TarArchiveEntry(name, TarArchiveEntry.LF_CHR));
            e.setDevMajor(1);
            e.setDevMinor(3);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        private TarArchiveEntry owned(TarArchiveEntry e) {
            e.setUserId(Libc.geteuid());
            e.setGroupId(0);
            return e;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    private Path rootfs() throws IOException {
        return Files.createDirectories(dir.resolve("rootfs"));
    }

    @Test
    void unpacksFilesDirectoriesLinksAndModesFromAGzipTarball() throws Exception {
        Path tar;
        try (Tar t = new Tar("root.tar.gz")) {
            t.dir("./bin").file("./bin/tool", "#!/bin/sh\n", 0755).file("etc/motd", "hi\n", 0644)
                    .link("bin/alias", "tool", TarArchiveEntry.LF_SYMLINK)
                    .link("bin/hard", "bin/tool", TarArchiveEntry.LF_LINK);
            tar = t.path;
        }
        Path rootfs = rootfs();
        unpack(tar, rootfs);
        assertThat(rootfs.resolve("etc/motd")).hasContent("hi");
        assertThat(Files.isExecutable(rootfs.resolve("bin/tool"))).isTrue();
        assertThat(Files.readSymbolicLink(rootfs.resolve("bin/alias"))).isEqualTo(Path.of("tool"));
        assertThat(Files.isSameFile(rootfs.resolve("bin/hard"), rootfs.resolve("bin/tool"))).isTrue();
    }

    /** A FIFO is made with its mode and time and never opened: opening one waits for a writer forever. */
    @Test
    void aFifoIsMadeWithoutBeingOpened() throws Exception {
        Path tar;
        try (Tar t = new Tar("fifo.tar")) {
            TarArchiveEntry e = t.owned(new TarArchiveEntry("run/pipe", TarArchiveEntry.LF_FIFO));
            e.setMode(0640);
            e.setModTime(java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2020-01-02T03:04:05Z")));
            t.out.putArchiveEntry(e);
            t.out.closeArchiveEntry();
            tar = t.file("run/after", "x", 0644).path;
        }
        Path rootfs = rootfs();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> unpack(tar, rootfs));
        Path pipe = rootfs.resolve("run/pipe");
        assertThat((Boolean) Files.getAttribute(pipe, "unix:isOther", java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.getAttribute(pipe, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS)).isEqualTo(0010640);
        assertThat(Files.getLastModifiedTime(pipe, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant())
                .isEqualTo(java.time.Instant.parse("2020-01-02T03:04:05Z"));
        assertThat(rootfs.resolve("run/after")).hasContent("x");
    }

    @Test
    void anEntryClimbingOutOfTheRootIsRefused() throws Exception {
        Path tar;
        try (Tar t = new Tar("evil.tar")) {
            tar = t.file("../../escaped", "x", 0644).path;
        }
        assertThatThrownBy(() -> unpack(tar, rootfs()))
                .isInstanceOf(BerthException.class)
                .hasMessage("refusing tar entry '../../escaped': path escapes the root filesystem");
        assertThat(dir.resolve("escaped")).doesNotExist();
    }

    @Test
    void writingThroughASymbolicLinkFromTheArchiveIsRefused() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path tar;
        try (Tar t = new Tar("evil.tar")) {
            tar = t.link("etc", outside.toString(), TarArchiveEntry.LF_SYMLINK).file("etc/passwd", "owned", 0644).path;
        }
        assertThatThrownBy(() -> unpack(tar, rootfs()))
                .hasMessageContaining("its parent 'etc' is a symbolic link");
        assertThat(outside.resolve("passwd")).doesNotExist();
    }

    @Test
    void aHardLinkToAFileOutsideIsRefused() throws Exception {
        Path tar;
        try (Tar t = new Tar("evil.tar")) {
            tar = t.link("shadow", "../../../etc/shadow", TarArchiveEntry.LF_LINK).path;
        }
        assertThatThrownBy(() -> unpack(tar, rootfs())).hasMessageContaining("path escapes");
    }

    @Test
    void deviceNodesAreSkippedSinceEveryContainerGetsItsOwnDev() throws Exception {
        Path tar;
        try (Tar t = new Tar("dev.tar")) {
            tar = t.dir("dev").device("dev/null").file("ok", "x", 0644).path;
        }
        Path rootfs = rootfs();
        assertThat(unpack(tar, rootfs).skippedDevices()).isEqualTo(1);
        assertThat(rootfs.resolve("dev/null")).doesNotExist();
        assertThat(rootfs.resolve("ok")).exists();
    }

    @Test
    void somethingThatIsNotATarUnpacksNothing() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.tar"), "this is not a tarball");
        Path rootfs = rootfs();
        try {
            assertThat(unpack(junk, rootfs).entries()).isZero(); // and image import refuses it for that
        } catch (IOException refused) {
            // as good
        }
        try (var left = Files.list(rootfs)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void whiteoutsBecomeOverlayfsWhiteoutsWhichOnlyRootCanMake() throws Exception {
        Path tar;
        try (Tar t = new Tar("layer.tar")) {
            tar = t.dir("etc").file("etc/.wh.motd", "", 0644).dir("var/cache").file("var/cache/.wh..wh..opq", "", 0644).path;
        }
        Path rootfs = rootfs();
        if (Libc.geteuid() != 0) {
            assertThatThrownBy(() -> unpack(tar, rootfs)).hasMessageContaining("whiteouts can only be made by root");
            return;
        }
        unpack(tar, rootfs);
        Path whiteout = rootfs.resolve("etc/motd");
        assertThat(Files.getAttribute(whiteout, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(0020000); // a character device, mode 0
        assertThat(Files.getAttribute(whiteout, "unix:rdev", java.nio.file.LinkOption.NOFOLLOW_LINKS)).isEqualTo(0L);
        assertThat(rootfs.resolve("etc/.wh.motd")).doesNotExist();
        assertThat(rootfs.resolve("var/cache/.wh..wh..opq")).doesNotExist();
        assertThat(rootfs.resolve("var/cache")).isDirectory();
    }

    private static LayerUnpacker.Result unpack(Path tar, Path root) throws java.io.IOException {
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(tar))) {
            return LayerUnpacker.unpackLayer(Compression.sniff(in).decompress(in), root);
        }
    }
}
