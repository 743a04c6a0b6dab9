package dev.berth.state;

import dev.berth.json.Json;
import dev.berth.BerthException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContainerStoreTest {
    @TempDir
    Path dir;

    private ContainerRecord record(String id, String name) {
        return ContainerRecord.beingCreated(id, name, "2026-01-01T00:00:0" + name.length() + "Z",
                new ContainerRecord.Source("busybox", null, "/rootfs", null, List.of("sh")), 1, 1,
                new ContainerRecord.Network("none", null, List.of(), List.of()),
                new ContainerRecord.Policy(false, "no", 0, false));
    }

    @Test
    void containersAreFoundByNameIdOrUniquePrefix() {
        ContainerStore store = new ContainerStore(new BerthPaths(dir.resolve("root"), dir.resolve("run")));
        store.create(record("abc1" + "0".repeat(60), "one"));
        store.create(record("abc2" + "0".repeat(60), "two"));
        assertThat(store.find("one").name()).isEqualTo("one");
        assertThat(store.find("abc2").name()).isEqualTo("two");
        assertThat(store.find("abc1" + "0".repeat(60)).name()).isEqualTo("one");
        assertThatThrownBy(() -> store.find("abc")).isInstanceOf(BerthException.class).hasMessageContaining("ambiguous");
        assertThatThrownBy(() -> store.find("zzz")).hasMessage("no such container: zzz");
    }

    @Test
    void recordsSurviveARoundTripAndRemovalDeletesTheDirectory() {
        BerthPaths paths = new BerthPaths(dir.resolve("root"), dir.resolve("run"));
        ContainerStore store = new ContainerStore(paths);
        ContainerRecord created = record("f".repeat(64), "x");
        store.create(created);
        store.update(created.running(42, 4242, "2026-01-01T00:00:01Z"));
        assertThat(store.find("x")).isEqualTo(created.running(42, 4242, "2026-01-01T00:00:01Z"));
        store.remove(created.id());
        assertThat(paths.container(created.id())).doesNotExist();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void everyWriteIsSeenWhateverAnotherProcessOrStoreDid() {
        BerthPaths paths = new BerthPaths(dir.resolve("root"), dir.resolve("run"));
        ContainerStore reader = new ContainerStore(paths);
        ContainerStore writer = new ContainerStore(paths);
        ContainerRecord created = record("e".repeat(64), "y");
        writer.create(created);
        assertThat(reader.find("y")).isEqualTo(created);
        for (int i = 1; i <= 20; i++) { // same size each time: only the file's identity and time change
            ContainerRecord running = created.running(100 + i, 1000 + i, "2026-01-01T00:00:01Z");
            writer.update(running);
            assertThat(reader.find("y")).isEqualTo(running);
        }
        Json.writeAtomically(paths.containerRecord(created.id()), created); // as another process would
        assertThat(reader.find("y")).isEqualTo(created);
        Directories.deleteTree(paths.container(created.id()));
        assertThat(reader.list()).isEmpty();
    }

    @Test
    void aRecordInTheFlatShapeOfBerth01IsStillRead() throws Exception {
        BerthPaths paths = new BerthPaths(dir.resolve("root"), dir.resolve("run"));
        String id = "e".repeat(64);
        java.nio.file.Files.createDirectories(paths.container(id));
        java.nio.file.Files.writeString(paths.containerRecord(id), """
                {"id":"%s","name":"old","image":"busybox","rootfs":"/","command":["true"],
                 "created":"2026-01-01T00:00:00Z","status":"EXITED","pid":0,"pidStartTime":0,"exitCode":3,
                 "autoRemove":false,"network":"berth0","ports":[],"oomKilled":true,"restartPolicy":"always",
                 "restartCount":2,"detached":true,"aliases":["db"]}
                """.formatted(id));
        ContainerRecord old = new ContainerStore(paths).find("old");
        assertThat(old.exitCode()).isEqualTo(3);
        assertThat(old.oomKilled()).isTrue();
        assertThat(old.networkMode()).isEqualTo("berth0");
        assertThat(old.restartPolicy()).isEqualTo("always");
        assertThat(old.restartCount()).isEqualTo(2);
        assertThat(old.aliases()).containsExactly("db");
        assertThat(old.command()).containsExactly("true");
    }

    @Test
    void aRecordSurvivesItsOwnRoundTrip() {
        ContainerStore store = new ContainerStore(new BerthPaths(dir.resolve("root"), dir.resolve("run")));
        ContainerRecord r = record("f" + "0".repeat(63), "round").running(42, 7, "t1").exited(137, "t2", true);
        store.create(r);
        assertThat(store.read(r.id())).isEqualTo(r);
    }
}
