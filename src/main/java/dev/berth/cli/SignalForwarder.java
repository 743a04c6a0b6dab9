package dev.berth.cli;

import dev.berth.runtime.ContainerProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Forwards the signals berth receives to the container's first process. Installed before the
 * container starts: a signal that arrives in between is held and delivered once it runs.
 */
final class SignalForwarder {
    /** Signals berth passes on to the container's process (name → number on x86_64). */
    private static final Map<String, Integer> FORWARDED = Map.of("INT", 2, "TERM", 15, "HUP", 1, "USR1", 10);
    static final int SIGWINCH = 28;

    private ContainerProcess target;
    private final List<Integer> pending = new ArrayList<>();

    /** Signals come from elsewhere (a client of the supervisor) through {@link #deliver}. */
    SignalForwarder() {}

    /** Takes the signals this JVM receives. */
    @SuppressWarnings("sunapi")
    static SignalForwarder ofThisProcess() {
        SignalForwarder forwarder = new SignalForwarder();
        FORWARDED.forEach((name, number) -> sun.misc.Signal.handle(new sun.misc.Signal(name), s -> forwarder.deliver(number)));
        sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> forwarder.deliver(SIGWINCH));
        return forwarder;
    }

    /** A signal for the container's process; SIGWINCH resizes its terminal instead (when it has one). */
    synchronized void deliver(int signal) {
        if (target == null) {
            pending.add(signal);
            return;
        }
        try {
            if (signal == SIGWINCH) {
                if (target.terminal() != null) {
                    target.terminal().resize();
                }
            } else {
                target.signal(signal);
            }
        } catch (RuntimeException ignored) {
            // the container has just ended
        }
    }

    synchronized void attach(ContainerProcess process) {
        target = process;
        pending.forEach(this::deliver);
        pending.clear();
    }
}
