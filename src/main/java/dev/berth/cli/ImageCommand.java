package dev.berth.cli;

import dev.berth.image.BusyboxImage;
import dev.berth.image.ImageRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** {@code berth image create|import|ls|rm}. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Manage local images.",
        subcommands = {ImageCommand.Create.class, ImageCommand.Import.class, ImageCommand.Ls.class, ImageCommand.Rm.class})
final class ImageCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a built-in image. Only 'busybox' (from the host's busybox-static) exists.")
    static final class Create implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "busybox")
        String name;

        @Override
        public void run() {
            if (!name.equals(BusyboxImage.NAME)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "unknown built-in image '" + name + "': the only one is busybox (use 'berth image import' for others)");
            }
            ImageRecord image = Main.berth(spec).createBusyboxImage();
            spec.commandLine().getOut().println(image.name());
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import a root filesystem tarball (plain or gzip), e.g. from docker export or debootstrap.")
    static final class Import implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "TAR")
        Path tar;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            ImageRecord image = Main.berth(spec).importImage(tar, name);
            spec.commandLine().getOut().println(image.name());
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List images.")
    static final class Ls implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            Table table = new Table("NAME", "CREATED", "SOURCE");
            for (ImageRecord image : Main.berth(spec).images()) {
                table.add(image.name(), Table.ago(image.created()), image.source());
            }
            table.print(spec.commandLine().getOut());
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove images no container uses.")
    static final class Rm implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME")
        java.util.List<String> names;

        @Override
        public void run() {
            for (String name : names) {
                Main.berth(spec).removeImage(name);
                spec.commandLine().getOut().println(name);
            }
        }
    }
}
