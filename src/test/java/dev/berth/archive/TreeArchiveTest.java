package dev.berth.archive;

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

import static dev.berth.archive.TreeArchive.Placement.AS_DEST;
import static dev.berth.archive.TreeArchive.Placement.INTO_DIRECTORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker cp's placement rules, and an archive that never writes outside its destination. */
class TreeArchiveTest {
    @TempDir
    Path dir;

    byte[] archive(Path source, String top) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TreeArchive.write(source, top, out);
        return out.toByteArray();
    }

    Path tree() throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/sub"));
        Files.writeString(src.resolve("deep"), "deep");
        Files.writeString(src.getParent().resolve("top"), "top");
        Files.createSymbolicLink(src.getParent().resolve("link"), Path.of("top"));
        return src.getParent();
    }

    @Test
    void aDirectoryGoesIntoAnExistingDirectoryOrBecomesAMissingOne() throws IOException {
        byte[] tar = archive(tree(), "src");
        Path existing = Files.createDirectories(dir.resolve("existing"));
        TreeArchive.extract(new ByteArrayInputStream(tar), existing, AS_DEST, false);
        assertThat(existing.resolve("src/sub/deep")).hasContent("deep");
        assertThat(Files.readSymbolicLink(existing.resolve("src/link"))).isEqualTo(Path.of("top"));

        Path fresh = dir.resolve("fresh");
        TreeArchive.extract(new ByteArrayInputStream(tar), fresh, AS_DEST, false);
        assertThat(fresh.resolve("sub/deep")).hasContent("deep");
    }

    @Test
    void theContentOfADirectoryGoesIntoTheDestinationItself() throws IOException {
        Path into = Files.createDirectories(dir.resolve("into"));
        TreeArchive.extract(new ByteArrayInputStream(archive(tree(), ".")), into, AS_DEST, false);
        assertThat(into.resolve("top")).hasContent("top");
        assertThat(into.resolve("sub/deep")).hasContent("deep");
    }

    @Test
    void aFileBecomesTheDestinationOrGoesIntoADirectory() throws IOException {
        Path file = tree().resolve("top");
        TreeArchive.extract(new ByteArrayInputStream(archive(file, "top")), dir.resolve("renamed"), AS_DEST, false);
        assertThat(dir.resolve("renamed")).hasContent("top");
        Path existing = Files.createDirectories(dir.resolve("d"));
        TreeArchive.extract(new ByteArrayInputStream(archive(file, "top")), existing, AS_DEST, false);
        assertThat(existing.resolve("top")).hasContent("top");
    }

    @Test
    void aDirectoryCannotReplaceAFileNorLandInAMissingParent() throws IOException {
        byte[] tar = archive(tree(), "src");
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> TreeArchive.extract(new ByteArrayInputStream(tar), file, AS_DEST, false))
                .isInstanceOf(BerthException.class).hasMessageContaining("cannot copy a directory to a file");
        assertThatThrownBy(() -> TreeArchive.extract(new ByteArrayInputStream(tar), dir.resolve("no/such"), AS_DEST, false))
                .hasMessageContaining("no such directory");
    }

    @Test
    void entriesThatWouldLeaveTheDestinationAreRefused() throws IOException {
        Path dest = Files.createDirectories(dir.resolve("dest"));
        assertThatThrownBy(() -> TreeArchive.extract(tar("../escaped", null), dest, INTO_DIRECTORY, false))
                .hasMessageContaining("it leaves the destination");
        assertThat(dir.resolve("escaped")).doesNotExist();

        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(dest.resolve("link"), outside);
        assertThatThrownBy(() -> TreeArchive.extract(tar("link/owned", null), dest, INTO_DIRECTORY, false))
                .hasMessageContaining("refusing to write through the symbolic link");
        assertThatThrownBy(() -> TreeArchive.extract(tar("made", "/etc"), dest, INTO_DIRECTORY, false))
                .hasMessageContaining("refusing to write through the symbolic link");
        try (var files = Files.list(outside)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    /** A tar with one regular file at name; with linkTarget, a symbolic link named name/.. first. */
    static ByteArrayInputStream tar(String name, String linkTarget) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            String file = name;
            if (linkTarget != null) {
                TarArchiveEntry link = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName(linkTarget);
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
                file = name + "/passwd";
            }
            byte[] bytes = "owned".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry(file);
            entry.setSize(bytes.length);
            tar.putArchiveEntry(entry);
            tar.write(bytes);
            tar.closeArchiveEntry();
        }
        return new ByteArrayInputStream(out.toByteArray());
    }
}
