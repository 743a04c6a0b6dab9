package dev.berth.oci;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.berth.oci.RuncArgs.Flag.bool;
import static dev.berth.oci.RuncArgs.Flag.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** runc's command line as engines write it: Go's flag conventions. */
class RuncArgsTest {
    static final List<RuncArgs.Flag> CREATE = List.of(value("bundle", "b"), value("pid-file"), bool("no-pivot"),
            value("env", "e"));

    @Test
    void flagsTakeOneOrTwoDashesAndTheirValueNextOrAfterAnEqualsSign() {
        RuncArgs args = RuncArgs.parse(List.of("-bundle", "/b", "--pid-file=/p", "-no-pivot", "c1"), CREATE, false);

        assertThat(args.value("bundle")).isEqualTo("/b");
        assertThat(args.value("pid-file")).isEqualTo("/p");
        assertThat(args.isSet("no-pivot")).isTrue();
        assertThat(args.positionals()).containsExactly("c1");
    }

    @Test
    void aliasesRepeatedValuesAndExplicitBooleans() {
        RuncArgs args = RuncArgs.parse(List.of("-b", "/b", "-e", "A=1", "--env", "B=2", "--no-pivot=false", "c1"),
                CREATE, false);

        assertThat(args.value("bundle")).isEqualTo("/b");
        assertThat(args.all("env")).containsExactly("A=1", "B=2");
        assertThat(args.isSet("no-pivot")).isFalse();
        assertThat(args.value("pid-file", "none")).isEqualTo("none");
    }

    @Test
    void flagsMayFollowTheIdUnlessTheRestIsACommand() {
        assertThat(RuncArgs.parse(List.of("c1", "--bundle", "/b"), CREATE, false).value("bundle")).isEqualTo("/b");

        RuncArgs exec = RuncArgs.parse(List.of("-e", "A=1", "c1", "sh", "-c", "exit 7"), CREATE, true);
        assertThat(exec.positionals()).containsExactly("c1", "sh", "-c", "exit 7");
        assertThat(RuncArgs.parse(List.of("--", "-x"), CREATE, false).positionals()).containsExactly("-x");
    }

    @Test
    void unknownFlagsMissingValuesAndBadBooleansAreOneLineErrors() {
        assertThatThrownBy(() -> RuncArgs.parse(List.of("--bogus", "c1"), CREATE, false))
                .isInstanceOf(OciException.class).hasMessage("flag provided but not defined: --bogus");
        assertThatThrownBy(() -> RuncArgs.parse(List.of("c1", "--bundle"), CREATE, false))
                .hasMessage("flag needs an argument: --bundle");
        assertThatThrownBy(() -> RuncArgs.parse(List.of("--no-pivot=maybe"), CREATE, false))
                .hasMessage("invalid boolean value \"maybe\" for flag --no-pivot");
        assertThatThrownBy(() -> RuncArgs.parse(List.of("--bundle=x"), CREATE, false).number("bundle"))
                .hasMessage("invalid value \"x\" for flag --bundle: not a number");
    }
}
