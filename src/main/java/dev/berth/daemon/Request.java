package dev.berth.daemon;

import dev.berth.api.RunOptions;

import java.util.List;
import java.util.Map;

/**
 * One request to the supervisor, a JSON line: run (with the options), start, stop (with a timeout),
 * ping, shutdown; or invoke: a whole command line run for a client ({@link Delegation}), with the
 * client's environment, working directory, pid (whose streams are used) and roots.
 */
public record Request(String op, RunOptions run, String container, Integer timeout,
                      List<String> argv, Map<String, String> env, String cwd, Integer pid, String root, String runRoot) {
    public Request(String op, RunOptions run, String container, Integer timeout) {
        this(op, run, container, timeout, null, null, null, null, null, null);
    }

    public static Request of(String op, String container) {
        return new Request(op, null, container, null);
    }
}
