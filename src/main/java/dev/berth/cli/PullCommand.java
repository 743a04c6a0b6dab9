package dev.berth.cli;

import dev.berth.api.Berth;
import dev.berth.api.Host;
import dev.berth.image.ImageRecord;
import dev.berth.image.Platform;
import dev.berth.image.PullProgress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;

/** {@code berth pull REF}: an image from its registry, verified, into the layer store. */
@Command(name = "pull", mixinStandardHelpOptions = true, description = "Pull an image from a registry.")
final class PullCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "Print only the image's name.")
    boolean quiet;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to pull (default: this machine's).")
    String platform;

    @Parameters(paramLabel = "IMAGE", description = "NAME[:TAG|@DIGEST], e.g. busybox, 127.0.0.1:5000/app:1.0")
    String reference;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        ImageRecord image = pull(spec, Main.berth(spec), reference, platform, quiet, out);
        if (!quiet) {
            out.println("Status: pulled " + dev.berth.image.ImageReference.parse(reference).familiar() + " as " + image.id());
        }
        out.println(dev.berth.image.ImageReference.parse(reference));
        dev.berth.Trace.mark("pulled");
    }

    /** Pulls with a progress display on out (none when quiet). */
    static ImageRecord pull(CommandLine.Model.CommandSpec spec, Berth berth, String reference, String platform,
                            boolean quiet, PrintWriter out) {
        Platform wanted = platform == null ? Platform.HOST : Platform.parse(platform);
        PullProgress progress = quiet ? PullProgress.QUIET
                : new PullPrinter(out, Main.delegated(spec) == null && Host.isTerminal(out == spec.commandLine().getErr() ? 2 : 1));
        return berth.pull(reference, wanted, progress, Main.environment(spec));
    }
}
