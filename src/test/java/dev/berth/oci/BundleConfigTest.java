package dev.berth.oci;

import dev.berth.json.Json;
import dev.berth.spec.ContainerSpec;
import dev.berth.spec.NamespaceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A bundle's config.json as berth's spec: what is honoured, and what is refused with one clear line. */
class BundleConfigTest {
    @TempDir
    Path bundle;

    BundleConfig read(String json) throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve("config.json"), json);
        return BundleConfig.read(bundle);
    }

    String config(String process, String linux, String extra) {
        return "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
                + " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"" + process + "},"
                + " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"pid\"},"
                + " {\"type\": \"network\", \"path\": \"/run/netns/x\"}]" + linux + "}" + extra + "}";
    }

    @Test
    void theRootIsTheBundlesAndNamespacesAreCreatedOrJoined() throws Exception {
        ContainerSpec spec = read(config("", "", ", \"hostname\": \"h\", \"annotations\": {\"a\": \"b\"}")).spec();
        assertThat(spec.root()).isEqualTo(new ContainerSpec.Root(bundle.resolve("rootfs").toString(), true));
        assertThat(spec.linux().namespaces()).extracting(n -> n.kind() + " " + n.path())
                .containsExactly("MOUNT null", "PID null", "NETWORK /run/netns/x");
        assertThat(spec.hostname()).isEqualTo("h");
        assertThat(spec.annotations()).containsEntry("a", "b");
        assertThat(spec.hasNamespace(NamespaceType.UTS)).isFalse();
    }

    @Test
    void resourcesDevicesAndBindSourcesBecomeBerthsOwn() throws Exception {
        ContainerSpec spec = read(config("", ", \"resources\": {\"memory\": {\"limit\": 1048576}, \"cpu\": {\"quota\": 50000},"
                + " \"pids\": {\"limit\": 10}, \"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
                + " {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rw\"}]},"
                + " \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229}]",
                ", \"mounts\": [{\"destination\": \"/data\", \"source\": \"data\", \"options\": [\"rbind\"]}]")).spec();
        assertThat(spec.linux().resources().memoryLimit()).isEqualTo(1048576);
        assertThat(spec.linux().resources().cpuQuota()).isEqualTo(50000);
        assertThat(spec.linux().resources().cpuPeriod()).as("the kernel's default period").isEqualTo(100000);
        assertThat(spec.linux().resources().pidsLimit()).isEqualTo(10);
        assertThat(spec.linux().deviceAllow()).startsWith("c 10:200 rw", "c 10:229 rwm").contains("c 1:3 rwm");
        assertThat(spec.linux().devices()).singleElement().satisfies(d -> assertThat(d.fileMode()).isEqualTo(0666));
        assertThat(spec.mounts()).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo("bind");
            assertThat(m.source()).isEqualTo(bundle.resolve("data").toString());
        });
    }

    @Test
    void theRootsPropagationAndTheMemoryKnobsOfCgroupV1AreRead() throws Exception {
        ContainerSpec spec = read(config("", ", \"rootfsPropagation\": \"rshared\", \"resources\": {\"memory\":"
                + " {\"swappiness\": 0, \"disableOOMKiller\": true, \"kernelTCP\": 1048576}}", "")).spec();
        assertThat(spec.root().propagation()).isEqualTo("rshared");
        assertThat(spec.linux().resources().memorySwappiness()).isZero();
        assertThat(spec.linux().resources().oomKillDisable()).isTrue();
        assertThat(spec.linux().resources().kernelTcpMemory()).isEqualTo(1048576);

        assertThatThrownBy(() -> read(config("", ", \"rootfsPropagation\": \"sideways\"", "")))
                .isInstanceOf(OciException.class).hasMessageStartingWith("unknown linux.rootfsPropagation 'sideways'");
        assertThatThrownBy(() -> read(config("", ", \"resources\": {\"memory\": {\"swappiness\": 101}}", "")))
                .hasMessage("linux.resources.memory.swappiness must be 0 to 100, not 101");
    }

    @Test
    void separateCapabilitySetsAreKeptAndUnknownNamesRefused() throws Exception {
        ContainerSpec spec = read(config(", \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"],"
                + " \"effective\": [\"CAP_KILL\"], \"ambient\": [\"CAP_KILL\"]}", "", "")).spec();
        assertThat(spec.process().capabilities()).containsExactly("CAP_KILL", "CAP_CHOWN");
        assertThat(spec.process().capabilitySets().effective()).containsExactly("CAP_KILL");
        assertThat(spec.process().capabilitySets().ambient()).as("not permitted and inheritable: not raised").isEmpty();
        assertThat(spec.process().capabilitySets().inheritable()).isEmpty();
        assertThatThrownBy(() -> read(config(", \"capabilities\": {\"bounding\": [\"CAP_TEST\"]}", "", "")))
                .isInstanceOf(OciException.class).hasMessage("unknown capability CAP_TEST in process.capabilities.bounding");
    }

    @Test
    void whatBerthCannotHonourIsRefusedWithOneLine() throws Exception {
        assertThatThrownBy(() -> read(config("", ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]", "")))
                .isInstanceOf(OciException.class).hasMessageContaining("uid/gid mappings need a user namespace");
        assertThatThrownBy(() -> read(config("", "", "").replace("{\"type\": \"pid\"}", "{\"type\": \"user\"}")))
                .hasMessage("a user namespace needs linux.uidMappings and linux.gidMappings");
        assertThatThrownBy(() -> read(config("", "", "").replace("{\"type\": \"pid\"}",
                "{\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}")))
                .hasMessage("joining a user namespace by path is not supported by berth-oci yet");
        assertThatThrownBy(() -> read("{\"ociVersion\": \"invalid\"}")).hasMessageStartingWith("unsupported ociVersion 'invalid'");
        assertThatThrownBy(() -> read(config("", "", "").replace("{\"type\": \"mount\"}, ", "")))
                .hasMessageContaining("needs a mount namespace");
        assertThatThrownBy(() -> read(config("", "", "").replace("\"args\": [\"sh\"]", "\"args\": []")))
                .hasMessageContaining("process.args is empty");
        assertThatThrownBy(() -> read("{not json")).isInstanceOf(OciException.class).hasMessageStartingWith("invalid JSON in ");
        Files.delete(bundle.resolve("config.json"));
        assertThatThrownBy(() -> BundleConfig.read(bundle)).hasMessage("no config.json in bundle " + bundle);
    }

    @Test
    void hooksKeepTheirOrderArgvAndTimeout() throws Exception {
        Hooks hooks = read(config("", "", ", \"hooks\": {\"prestart\": [{\"path\": \"/bin/a\", \"args\": [\"a\", \"1\"], \"timeout\": 5},"
                + " {\"path\": \"/bin/b\"}], \"poststop\": [{\"path\": \"/bin/c\", \"env\": [\"X=1\"]}]}")).hooks();
        assertThat(hooks.prestart()).containsExactly(new Hooks.Hook("/bin/a", List.of("a", "1"), List.of(), 5),
                new Hooks.Hook("/bin/b", List.of("/bin/b"), List.of(), null));
        assertThat(hooks.poststop()).containsExactly(new Hooks.Hook("/bin/c", List.of("/bin/c"), List.of("X=1"), null));
        assertThat(Json.renderCompact(Map.of("a", 1))).isEqualTo("{\"a\":1}");
    }
}
