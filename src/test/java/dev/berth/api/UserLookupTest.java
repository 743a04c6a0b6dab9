package dev.berth.api;

import dev.berth.BerthException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserLookupTest {
    @TempDir
    Path rootfs;
    UserLookup lookup;

    @BeforeEach
    void etcFiles() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                app:x:1000:1000:App:/home/app:/bin/sh
                """);
        Files.writeString(rootfs.resolve("etc/group"), """
                root:x:0:
                app:x:1000:
                audio:x:29:app
                staff:x:50:
                """);
        lookup = new UserLookup(java.util.List.of(rootfs));
    }

    @Test
    void defaultIsRootWithItsHome() {
        UserLookup.Resolved r = lookup.resolve(null);
        assertThat(r.user().uid()).isZero();
        assertThat(r.home()).isEqualTo("/root");
    }

    @Test
    void aNameGivesItsIdsHomeAndSupplementaryGroups() {
        UserLookup.Resolved r = lookup.resolve("app");
        assertThat(r.user().uid()).isEqualTo(1000);
        assertThat(r.user().gid()).isEqualTo(1000);
        assertThat(r.user().additionalGids()).isEqualTo(List.of(29));
        assertThat(r.home()).isEqualTo("/home/app");
    }

    @Test
    void numericIdsNeedNoEntryAndGroupsResolveByName() {
        assertThat(lookup.resolve("4242").user().uid()).isEqualTo(4242);
        assertThat(lookup.resolve("app:staff").user().gid()).isEqualTo(50);
        assertThat(lookup.resolve("7:8").user()).satisfies(u -> {
            assertThat(u.uid()).isEqualTo(7);
            assertThat(u.gid()).isEqualTo(8);
        });
    }

    @Test
    void unknownNamesAreClearErrors() {
        assertThatThrownBy(() -> lookup.resolve("ghost")).isInstanceOf(BerthException.class)
                .hasMessage("unable to find user ghost: no matching entries in passwd file");
        assertThatThrownBy(() -> lookup.resolve("app:ghosts")).hasMessageContaining("unable to find group ghosts");
    }
}
