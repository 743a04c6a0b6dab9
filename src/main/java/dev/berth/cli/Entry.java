package dev.berth.cli;

/**
 * The program's entry: berth's command line ({@link Main}), or berth-oci's. (While a supervisor runs,
 * the launcher's shell client hands run, exec and the lifecycle verbs to it with no JVM at all.) Kept
 * tiny: it is on the start-up path of every command.
 */
public final class Entry {
    /** The first argument the berth-oci launcher passes: the rest is runc's command line. */
    public static final String OCI_FLAG = "--oci-runtime";

    private Entry() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals(AotTraining.OCI_FLAG)) {
            AotTraining.runAnOciBundle();
            return;
        }
        if (args.length > 0 && args[0].equals(OCI_FLAG)) { // the berth-oci launcher
            dev.berth.oci.OciCli.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Main.main(args);
    }
}
