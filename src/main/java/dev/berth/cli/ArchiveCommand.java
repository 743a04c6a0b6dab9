package dev.berth.cli;

import dev.berth.BerthException;
import dev.berth.image.Platform;
import dev.berth.image.PullProgress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code berth load} and {@code berth save}: images as one tar file (OCI layout with Docker's manifest.json). */
final class ArchiveCommand {
    private ArchiveCommand() {}

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Load images from an archive written by berth save, docker save or podman save (OCI or Docker).")
    static final class Load implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "The archive (default: standard input).")
        Path input;

        @Option(names = {"-q", "--quiet"}, description = "Print only the names loaded.")
        boolean quiet;

        @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to take from an index.")
        String platform;

        @Override
        public void run() {
            var berth = Main.berth(spec);
            Platform wanted = platform == null ? Platform.HOST : Platform.parse(platform);
            PullProgress progress = quiet ? PullProgress.QUIET : new PullPrinter(spec.commandLine().getErr(), false);
            List<String> loaded;
            try (InputStream in = input == null ? System.in : Files.newInputStream(Main.absolute(spec, input))) {
                loaded = berth.loadImages(in, wanted, progress);
            } catch (IOException e) {
                throw new BerthException("cannot read " + (input == null ? "standard input" : input) + ": " + e.getMessage(), e);
            }
            loaded.forEach(spec.commandLine().getOut()::println);
        }
    }

    @Command(name = "save", mixinStandardHelpOptions = true, description = "Save images to an archive.")
    static final class Save implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The archive to write.")
        Path output;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> images;

        @Override
        public void run() {
            Main.berth(spec).saveImages(images, Main.absolute(spec, output));
        }
    }
}
