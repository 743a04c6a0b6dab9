package dev.berth.runtime;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OverlayTest {
    @Test
    void mountDataListsLowerLayersTopFirst() {
        Overlay overlay = new Overlay(List.of(Path.of("/l/top"), Path.of("/l/base")), Path.of("/c/upper"), Path.of("/c/work"));
        assertThat(overlay.mountData()).isEqualTo("lowerdir=/l/top:/l/base,upperdir=/c/upper,workdir=/c/work");
    }

    @Test
    void pathsThatWouldCorruptTheOptionStringAreRefused() {
        Overlay overlay = new Overlay(List.of(Path.of("/l/a,b")), Path.of("/u"), Path.of("/w"));
        assertThatThrownBy(overlay::mountData).hasMessageContaining("cannot contain");
    }
}
