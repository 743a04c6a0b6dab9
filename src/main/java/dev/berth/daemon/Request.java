package dev.berth.daemon;

import dev.berth.api.RunOptions;


/**
 * One request to the supervisor on its socket, a JSON line: run (with the options), start, stop (with a
 * timeout), ping, shutdown. (Whole command lines come through its {@link ClientDoor}.)
 */
public record Request(String op, RunOptions run, String container, Integer timeout) {

    public static Request of(String op, String container) {
        return new Request(op, null, container, null);
    }
}
