package dev.berth.spec;

/**
 * Which network a container asked for ({@code --network}), parsed once: its own namespace with only lo,
 * the host's, another container's, or a place on one of berth's networks. Records keep {@link #text()}.
 */
public sealed interface NetworkMode {
    /** --network none: a namespace of its own with only lo. */
    record None() implements NetworkMode {
        @Override
        public String text() {
            return "none";
        }
    }

    /** --network host: the namespace berth runs in. */
    record Host() implements NetworkMode {
        @Override
        public String text() {
            return "host";
        }
    }

    /** --network container:NAME: the network namespace of a running container. */
    record Container(String target) implements NetworkMode {
        @Override
        public String text() {
            return "container:" + target;
        }
    }

    /** --network NAME: an address on one of berth's networks (bridge or veth driver). */
    record Attached(String network) implements NetworkMode {
        @Override
        public String text() {
            return network;
        }
    }

    /** The mode as the user wrote it (and as records store it). */
    String text();

    static NetworkMode parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty network mode");
        }
        return switch (text) {
            case "none" -> new None();
            case "host" -> new Host();
            default -> {
                if (text.startsWith("container:")) {
                    String target = text.substring("container:".length());
                    if (target.isEmpty()) {
                        throw new IllegalArgumentException("--network container: needs a container name or id");
                    }
                    yield new Container(target);
                }
                yield new Attached(text);
            }
        };
    }
}
