package dev.berth.state;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A container's record through its life: every transition writes a new record, keeping what it must. */
class ContainerRecordTest {
    private static final Attachment FIRST = new Attachment("berth0", "bridge", "172.18.0.2", 16, "172.18.0.1",
            "vb00000000001", "eth0", 1500, "/run/berth/netns/x", "/run/netns/berth-web", "berth0");

    private final ContainerRecord created = ContainerRecord.beingCreated("a".repeat(64), "web", "t0",
            new ContainerRecord.Source("busybox", null, "/images/busybox", null, List.of("httpd")), 100, 5,
            new ContainerRecord.Network("berth0", FIRST, List.of(new PortMapping(null, 8080, 80, "tcp")), List.of("www")),
            new ContainerRecord.Policy(false, "on-failure:3", 0, true));

    @Test
    void aNewRecordIsOwnedByTheProcessCreatingIt() {
        assertThat(created.status()).isEqualTo(ContainerRecord.Status.CREATED);
        assertThat(created.pid()).isEqualTo(100);
        assertThat(created.pidStartTime()).isEqualTo(5);
        assertThat(created.shortId()).isEqualTo("aaaaaaaaaaaa");
    }

    @Test
    void runningThenExitedKeepsTheStartAndRecordsTheEnd() {
        ContainerRecord exited = created.running(4242, 77, "t1").exited(137, "t2", true);
        assertThat(exited.status()).isEqualTo(ContainerRecord.Status.EXITED);
        assertThat(exited.startedAt()).isEqualTo("t1");
        assertThat(exited.finishedAt()).isEqualTo("t2");
        assertThat(exited.exitCode()).isEqualTo(137);
        assertThat(exited.oomKilled()).isTrue();
        assertThat(exited.pid()).isZero();
        assertThat(exited.ports()).isEqualTo(created.ports());
    }

    @Test
    void aRestartGetsANewAttachmentAndCountsButKeepsNameCommandAndPolicy() {
        Attachment second = new Attachment("berth0", "bridge", "172.18.0.2", 16, "172.18.0.1", "vb00000000002", "eth0",
                1500, "/run/berth/netns/x", "/run/netns/berth-web", "berth0");
        ContainerRecord again = created.running(4242, 77, "t1").exited(1, "t2", false).restarting(200, 9, second, List.of(), 1, true);
        assertThat(again.status()).isEqualTo(ContainerRecord.Status.CREATED);
        assertThat(again.attachment().hostInterface()).isEqualTo("vb00000000002");
        assertThat(again.restartCount()).isEqualTo(1);
        assertThat(again.exitCode()).isNull();
        assertThat(again.restartPolicy()).isEqualTo("on-failure:3");
        assertThat(again.aliases()).containsExactly("www");
        assertThat(again.command()).containsExactly("httpd");
    }

    @Test
    void renamingChangesOnlyTheName() {
        ContainerRecord renamed = created.renamed("api");
        assertThat(renamed.name()).isEqualTo("api");
        assertThat(renamed).isEqualTo(new ContainerRecord(created.id(), "api", created.created(), created.status(),
                created.source(), created.process(), created.network(), created.policy()));
    }
}
