package dev.berth.cli;

import dev.berth.api.Berth;
import dev.berth.state.ContainerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;


/** {@code berth wait}: block until containers end, print their exit codes (as Docker does). */
@Command(name = "wait", mixinStandardHelpOptions = true, description = "Wait for containers to end; print their exit codes.")
final class WaitCommand extends EachContainerCommand {
    /** Polls until the container has ended (Docker's wait blocks for as long as it takes). */
    @Override
    String act(Berth berth, String container) {
        ContainerRecord r = berth.inspect(container);
        while (r.status() != ContainerRecord.Status.EXITED) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.berth.BerthException("interrupted while waiting for " + container);
            }
            r = berth.inspect(r.id());
        }
        return String.valueOf(r.exitCode() == null ? -1 : r.exitCode());
    }
}
