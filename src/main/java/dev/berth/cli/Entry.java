package dev.berth.cli;

import dev.berth.daemon.Delegation;

/**
 * The program's entry: a command line a running supervisor can do (run, exec) is handed to it, whose
 * warm JVM does it in a fraction of what building picocli's model and linking libc costs a new one;
 * everything else, or when no supervisor answers, runs here ({@link Main}). Kept tiny: it is on the
 * start-up path of every command.
 */
public final class Entry {
    /** The first argument the berth-oci launcher passes: the rest is runc's command line. */
    public static final String OCI_FLAG = "--oci-runtime";

    private Entry() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals(AotTraining.CLIENT_FLAG)) {
            AotTraining.delegateToAStandIn();
            return;
        }
        if (args.length == 1 && args[0].equals(AotTraining.OCI_FLAG)) {
            AotTraining.runAnOciBundle();
            return;
        }
        if (args.length > 0 && args[0].equals(OCI_FLAG)) { // the berth-oci launcher
            dev.berth.oci.OciCli.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        int exitCode = Delegation.tryDelegate(args);
        if (exitCode >= 0) {
            System.err.flush();
            Runtime.getRuntime().halt(exitCode); // nothing to shut down: no hooks, no open files
        }
        Main.main(args);
    }
}
