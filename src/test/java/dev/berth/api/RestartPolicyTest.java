package dev.berth.api;

import dev.berth.BerthException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestartPolicyTest {
    @Test
    void dockersPoliciesParseAndPrintBack() {
        assertThat(RestartPolicy.parse(null).text()).isEqualTo("no");
        assertThat(RestartPolicy.parse("on-failure").text()).isEqualTo("on-failure");
        assertThat(RestartPolicy.parse("on-failure:5")).isEqualTo(new RestartPolicy("on-failure", 5));
        assertThat(RestartPolicy.parse("on-failure:5").text()).isEqualTo("on-failure:5");
        assertThat(RestartPolicy.parse("unless-stopped").text()).isEqualTo("unless-stopped");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sometimes", "on-failure:", "on-failure:-1", "on-failure:x", "always:3"})
    void anythingElseIsOneClearError(String text) {
        assertThatThrownBy(() -> RestartPolicy.parse(text)).isInstanceOf(BerthException.class)
                .hasMessage("invalid --restart '" + text + "': use no, on-failure[:N], always or unless-stopped");
    }

    @Test
    void theBackOffDoublesFrom100MillisecondsToTenSeconds() {
        assertThat(RestartPolicy.backoffMillis(0)).isEqualTo(100);
        assertThat(RestartPolicy.backoffMillis(1)).isEqualTo(200);
        assertThat(RestartPolicy.backoffMillis(6)).isEqualTo(6_400);
        assertThat(RestartPolicy.backoffMillis(7)).isEqualTo(10_000);
        assertThat(RestartPolicy.backoffMillis(1_000)).isEqualTo(10_000);
    }
}
