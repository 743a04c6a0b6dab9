package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth rename OLD NEW}. */
@Command(name = "rename", mixinStandardHelpOptions = true, description = "Rename a container.")
final class RenameCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String container;

    @Parameters(index = "1", paramLabel = "NEW_NAME")
    String newName;

    @Override
    public void run() {
        Main.berth(spec).rename(container, newName);
    }
}
