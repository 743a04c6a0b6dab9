package dev.berth.network;

import dev.berth.BerthException;
import dev.berth.state.BerthPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkStoreTest {
    @TempDir
    Path dir;

    private NetworkRecord record(String name) {
        return new NetworkRecord(name, "id-" + name, "bridge", "10.9.0.0/24", "10.9.0.1", 1500, "berth-" + name, false, "t");
    }

    @Test
    void recordsAreListedByNameAndFoundAgain() {
        NetworkStore store = new NetworkStore(new BerthPaths(dir.resolve("root"), dir.resolve("run")));
        store.add(record("zeta"));
        store.add(record("alpha"));
        assertThat(store.list()).extracting(NetworkRecord::name).containsExactly("alpha", "zeta");
        assertThat(store.find("zeta")).contains(record("zeta"));
        assertThat(store.find("nosuch")).isEmpty();
        assertThatThrownBy(() -> store.add(record("zeta"))).isInstanceOf(BerthException.class)
                .hasMessage("network zeta already exists");
        store.delete("zeta");
        assertThat(store.list()).extracting(NetworkRecord::name).containsExactly("alpha");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "-lab", "", "a b", "a/b"})
    void aNameThatCouldLeaveTheStateRootIsNeverLookedUp(String name) {
        NetworkStore store = new NetworkStore(new BerthPaths(dir.resolve("root"), dir.resolve("run")));
        assertThat(NetworkStore.isValidName(name)).isFalse();
        assertThat(store.find(name)).isEmpty();
    }
}
