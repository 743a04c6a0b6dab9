package dev.berth.cli;

import dev.berth.daemon.Delegation;
import dev.berth.runtime.ContainerProcess;

import java.util.ArrayList;
import java.util.List;

/**
 * Forwards the signals berth receives to the container's first process. Installed before the
 * container starts: a signal that arrives in between is held and delivered once it runs.
 */
final class SignalForwarder {
    static final int SIGWINCH = Delegation.FORWARDED_SIGNALS.get("WINCH");

    private ContainerProcess target;
    private final List<Integer> pending = new ArrayList<>();

    /** Signals come from elsewhere (a client of the supervisor) through {@link #deliver}. */
    SignalForwarder() {}

    /** Takes the signals this JVM receives. */
    @SuppressWarnings("sunapi")
    static SignalForwarder ofThisProcess() {
        SignalForwarder forwarder = new SignalForwarder();
        Delegation.FORWARDED_SIGNALS.forEach((name, number) ->
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> forwarder.deliver(number)));
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
