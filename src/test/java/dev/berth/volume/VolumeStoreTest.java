package dev.berth.volume;

import dev.berth.BerthException;
import dev.berth.state.BerthPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VolumeStoreTest {
    @TempDir
    Path dir;

    VolumeStore store() {
        return new VolumeStore(new BerthPaths(dir.resolve("root"), dir.resolve("run")));
    }

    @Test
    void aVolumeIsARecordAndADataDirectoryThatCreateReturnsAgainWhenItExists() throws Exception {
        VolumeStore store = store();
        Volume made = store.create("pgdata", Map.of("team", "db"), false);
        Files.writeString(store.data("pgdata").resolve("f"), "x");
        assertThat(store.create("pgdata", Map.of(), false)).isEqualTo(made);
        assertThat(store.data("pgdata").resolve("f")).hasContent("x");
        assertThat(store.list()).containsExactly(made);
        store.remove("pgdata");
        assertThat(store.list()).isEmpty();
        assertThat(dir.resolve("root/volumes/pgdata")).doesNotExist();
        assertThatThrownBy(() -> store.remove("pgdata")).isInstanceOf(BerthException.class).hasMessage("no such volume: pgdata");
    }

    @Test
    void namesFollowDockersRule() {
        assertThat(VolumeStore.isValidName("a")).isFalse();
        assertThat(VolumeStore.isValidName("my_vol-1.2")).isTrue();
        assertThat(VolumeStore.isValidName("../etc")).isFalse();
        assertThat(VolumeStore.anonymousName()).matches("[0-9a-f]{64}");
        assertThatThrownBy(() -> store().create("-bad", Map.of(), false)).hasMessageContaining("invalid volume name '-bad'");
    }

    @Test
    void gcRemovesWhatACrashLeftHalfMade() throws Exception {
        VolumeStore store = store();
        store.create("kept", Map.of(), false);
        Files.createDirectories(dir.resolve("root/volumes/.new-0123456789abcdef/_data"));
        Files.createDirectories(dir.resolve("root/volumes/no-record/_data"));
        assertThat(store.gc()).hasSize(2);
        assertThat(store.list()).extracting(Volume::name).containsExactly("kept");
        try (var left = Files.list(dir.resolve("root/volumes"))) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("kept");
        }
    }
}
