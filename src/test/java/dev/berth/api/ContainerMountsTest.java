package dev.berth.api;

import dev.berth.BerthException;
import dev.berth.spec.MountSpec;
import dev.berth.state.BerthPaths;
import dev.berth.state.ContainerRecord;
import dev.berth.state.ContainerStore;
import dev.berth.state.MountPoint;
import dev.berth.volume.MountRequest;
import dev.berth.volume.MountSyntax;
import dev.berth.volume.VolumeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Docker's rules for which mounts a container gets, in which order, with which options. */
class ContainerMountsTest {
    @TempDir
    Path dir;

    BerthPaths paths() {
        return new BerthPaths(dir.resolve("root"), dir.resolve("run"));
    }

    final ContainerStore containers() {
        return new ContainerStore(paths());
    }

    ContainerMounts mounts() {
        return new ContainerMounts(new VolumeStore(paths()), containers());
    }

    static RunOptions.Storage storage(List<String> volumes, List<String> from) {
        return new RunOptions.Storage(volumes.stream().map(MountSyntax::volume).toList(), from);
    }

    @Test
    void parentsAreMountedBeforeWhatIsBelowThemAndEachKindGetsDockersOptions() {
        ContainerMounts.Resolved resolved = mounts().resolve(new RunOptions.Storage(List.of(
                MountSyntax.volume(dir + "/a:/srv/app/cache"), MountSyntax.volume("data:/srv:ro"),
                MountSyntax.tmpfs("/run:size=1m,exec")), List.of()), List.of(), new Rollback());
        assertThat(resolved.specs()).extracting(MountSpec::destination).containsExactly("/srv", "/run", "/srv/app/cache");
        assertThat(resolved.specs().get(0)).isEqualTo(new MountSpec("/srv", "bind",
                paths().volumeData("data").toString(), List.of("rbind", "ro", "rprivate", "copyup")));
        assertThat(resolved.specs().get(1).options()).containsExactly("nosuid", "nodev", "size=1m"); // exec undoes noexec
        assertThat(resolved.specs().get(2).options()).containsExactly("rbind", "rw", "rprivate");
        assertThat(dir.resolve("a")).isDirectory(); // -v made the missing host directory
    }

    @Test
    void aTargetTakesOneMountTheUsersBeforeTheImagesVolume() {
        ContainerMounts mounts = mounts();
        assertThatThrownBy(() -> mounts.resolve(storage(List.of("a1:/data", "b1:/data/"), List.of()), List.of(), new Rollback()))
                .isInstanceOf(BerthException.class).hasMessage("duplicate mount point: /data");
        ContainerMounts.Resolved resolved = mounts.resolve(storage(List.of("mine:/var/lib/db"), List.of()),
                List.of("/var/lib/db", "/logs"), new Rollback());
        assertThat(resolved.points()).extracting(MountPoint::destination).containsExactly("/logs", "/var/lib/db");
        assertThat(resolved.points().get(1).name()).isEqualTo("mine");
        assertThat(resolved.points().get(0).anonymous()).isTrue();
    }

    @Test
    void volumesMadeForACreationThatFailsGoWithIt() {
        Rollback rollback = new Rollback();
        mounts().resolve(storage(List.of("fresh:/a", "/anonymous"), List.of()), List.of(), rollback);
        VolumeStore store = new VolumeStore(paths());
        assertThat(store.list()).hasSize(2);
        rollback.undo(new RuntimeException("a later step failed"));
        assertThat(store.list()).isEmpty();
    }

    @Test
    void volumesFromTakesAnotherContainersBindsAndVolumesButNotItsTmpfs() {
        ContainerStore store = containers();
        ContainerRecord source = ContainerRecord.beingCreated("a".repeat(64), "source", "2026-01-01T00:00:00Z",
                new ContainerRecord.Source("busybox", null, "/rootfs", null, List.of("sh"), List.of(
                        new MountPoint("volume", "shared", "/v/_data", "/data", false, "", true),
                        new MountPoint("bind", null, "/host", "/host", false, "rslave", false),
                        new MountPoint("tmpfs", null, null, "/tmp", false, "", false)), Map.of()),
                1, 1, new ContainerRecord.Network("none", null, List.of(), List.of()), new ContainerRecord.Policy(false, "no", 0, false));
        store.create(source);
        ContainerMounts.Resolved resolved = mounts().resolve(storage(List.of(), List.of("source:ro")), List.of(), new Rollback());
        assertThat(resolved.points()).extracting(MountPoint::destination).containsExactly("/data", "/host");
        assertThat(resolved.points()).allMatch(MountPoint::readOnly).noneMatch(MountPoint::anonymous);
        assertThat(resolved.specs().get(1).options()).containsExactly("rbind", "ro", "rslave");
        assertThat(resolved.specs().get(0).options()).doesNotContain("copyup"); // someone else's volume is not refilled
        assertThatThrownBy(() -> mounts().resolve(storage(List.of(), List.of("source:rx")), List.of(), new Rollback()))
                .hasMessageContaining("mode must be ro or rw");
    }

    @Test
    void aBindSourceGivenWithMountMustExist() {
        MountRequest missing = MountSyntax.mount("type=bind,source=" + dir.resolve("absent") + ",target=/x");
        assertThatThrownBy(() -> mounts().resolve(new RunOptions.Storage(List.of(missing), List.of()), List.of(), new Rollback()))
                .hasMessageContaining("bind source path does not exist");
        assertThat(dir.resolve("absent")).doesNotExist();
    }
}
