package dev.berth.api;

import dev.berth.runtime.Overlay;
import dev.berth.spec.ContainerSpec;
import dev.berth.state.ContainerRecord;

/** A created container: its record, the spec it runs and the layers of its root. */
public record Container(ContainerRecord record, ContainerSpec spec, Overlay overlay) {}
