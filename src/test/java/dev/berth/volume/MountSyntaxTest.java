package dev.berth.volume;

import dev.berth.BerthException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Docker's -v, --mount and --tmpfs syntax, and its errors. */
class MountSyntaxTest {
    @Test
    void anAbsoluteSourceIsABindAndAnyOtherAVolumeName() {
        assertThat(MountSyntax.volume("/srv/data:/data:ro")).isEqualTo(new MountRequest(MountRequest.Type.BIND,
                "/srv/data", "/data", true, null, false, List.of(), true));
        assertThat(MountSyntax.volume("pgdata:/var/lib/postgresql")).isEqualTo(new MountRequest(MountRequest.Type.VOLUME,
                "pgdata", "/var/lib/postgresql", false, null, false, List.of(), true));
    }

    @Test
    void aBareTargetIsAnAnonymousVolumeAndTwoPartsMayBeTargetAndMode() {
        assertThat(MountSyntax.volume("/cache").source()).isNull();
        MountRequest withMode = MountSyntax.volume("/cache:ro");
        assertThat(withMode.source()).isNull();
        assertThat(withMode.target()).isEqualTo("/cache");
        assertThat(withMode.readonly()).isTrue();
    }

    @Test
    void modesCarryPropagationNocopyAndIgnoreSelinuxLabels() {
        assertThat(MountSyntax.volume("/h:/c:rslave,z").propagation()).isEqualTo("rslave");
        assertThat(MountSyntax.volume("v1:/c:nocopy").noCopy()).isTrue();
        assertThatThrownBy(() -> MountSyntax.volume("/h:/c:sideways")).hasMessageContaining("invalid mode: sideways");
        assertThatThrownBy(() -> MountSyntax.volume("v1:/c:rshared")).hasMessageContaining("invalid mode: rshared");
    }

    @Test
    void badSpecificationsAreOneClearError() {
        assertThatThrownBy(() -> MountSyntax.volume("a:b:c:d")).isInstanceOf(BerthException.class).hasMessageContaining("too many colons");
        assertThatThrownBy(() -> MountSyntax.volume("v1:relative")).hasMessageContaining("must be absolute");
        assertThatThrownBy(() -> MountSyntax.volume("/h:/")).hasMessageContaining("destination can't be '/'");
        assertThatThrownBy(() -> MountSyntax.volume("my dir:/c")).hasMessageContaining("invalid characters for a local volume name");
    }

    @Test
    void mountFieldsAreKeyValuePairsWithDockersNames() {
        assertThat(MountSyntax.mount("type=bind,src=/h,dst=/c,readonly,bind-propagation=rshared")).isEqualTo(
                new MountRequest(MountRequest.Type.BIND, "/h", "/c", true, "rshared", false, List.of(), false));
        assertThat(MountSyntax.mount("source=v1,target=/c,volume-nocopy=true")).isEqualTo(
                new MountRequest(MountRequest.Type.VOLUME, "v1", "/c", false, null, true, List.of(), false));
        assertThat(MountSyntax.mount("type=tmpfs,destination=/t,tmpfs-size=1048576,tmpfs-mode=1770").tmpfsOptions())
                .containsExactly("size=1048576", "mode=1770");
        assertThat(MountSyntax.mount("type=bind,source=/h,target=/c,readonly=false").readonly()).isFalse();
    }

    @Test
    void mountRefusesWhatDockerRefuses() {
        assertThatThrownBy(() -> MountSyntax.mount("type=bind,target=/c")).hasMessageContaining("field Source must not be empty");
        assertThatThrownBy(() -> MountSyntax.mount("type=bind,source=/h")).hasMessageContaining("target is required");
        assertThatThrownBy(() -> MountSyntax.mount("type=nfs,target=/c")).hasMessageContaining("unknown type 'nfs'");
        assertThatThrownBy(() -> MountSyntax.mount("type=bind,source=/h,target=/c,colour=blue")).hasMessageContaining("unexpected key 'colour'");
        assertThatThrownBy(() -> MountSyntax.mount("type=tmpfs,source=x,target=/c")).hasMessageContaining("Source must be empty");
        assertThatThrownBy(() -> MountSyntax.mount("type=bind,source=/h,target=/c,readonly=maybe")).hasMessageContaining("true or false");
    }

    @Test
    void tmpfsTakesTmpfssOwnOptions() {
        assertThat(MountSyntax.tmpfs("/run")).isEqualTo(MountRequest.tmpfs("/run", List.of()));
        assertThat(MountSyntax.tmpfs("/run:size=64m,mode=1777,exec").tmpfsOptions()).containsExactly("size=64m", "mode=1777", "exec");
        assertThatThrownBy(() -> MountSyntax.tmpfs("run")).hasMessageContaining("must be absolute");
    }
}
