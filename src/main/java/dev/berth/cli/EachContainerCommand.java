package dev.berth.cli;

import dev.berth.api.Berth;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/**
 * What the verbs that take one or more containers share (stop, start, restart, kill, rm, wait): each
 * named container in turn, one line of output for each (its name, or what the verb reports), as Docker
 * prints them. A failure stops at that container with one error line.
 */
abstract class EachContainerCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Name, id or unique id prefix.")
    List<String> containers;

    /** Does the verb's work on one container; returns the line to print for it. */
    abstract String act(Berth berth, String container);

    @Override
    public final void run() {
        Berth berth = Main.berth(spec);
        PrintWriter out = spec.commandLine().getOut();
        for (String c : containers) {
            out.println(act(berth, c));
            out.flush();
        }
    }
}
