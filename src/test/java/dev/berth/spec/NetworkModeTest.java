package dev.berth.spec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkModeTest {
    @Test
    void eachKindOfModeIsParsedOnce() {
        assertThat(NetworkMode.parse("none")).isEqualTo(new NetworkMode.None());
        assertThat(NetworkMode.parse("host")).isEqualTo(new NetworkMode.Host());
        assertThat(NetworkMode.parse("container:web")).isEqualTo(new NetworkMode.Container("web"));
        assertThat(NetworkMode.parse("berth0")).isEqualTo(new NetworkMode.Attached("berth0"));
        assertThat(NetworkMode.parse("veth")).isEqualTo(new NetworkMode.Attached("veth"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "host", "container:web", "container:0123abcd", "berth0", "lab", "veth"})
    void theTextIsWhatTheUserWrote(String text) {
        assertThat(NetworkMode.parse(text).text()).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(value = {"'container:'|needs a container name", "''|empty", "'   '|empty"}, delimiter = '|')
    void anIncompleteModeIsRefused(String text, String message) {
        assertThatThrownBy(() -> NetworkMode.parse(text)).hasMessageContaining(message);
    }
}
