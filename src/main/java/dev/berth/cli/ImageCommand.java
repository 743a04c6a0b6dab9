package dev.berth.cli;

import dev.berth.engine.DockerViews;
import dev.berth.image.BusyboxImage;
import dev.berth.image.ImageRecord;
import dev.berth.image.ImageReference;
import dev.berth.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code berth image create|import|pull|ls|inspect|rm|prune}. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Manage local images.",
        subcommands = {ImageCommand.Create.class, ImageCommand.Import.class, PullCommand.class, ImageCommand.Ls.class,
                ImageCommand.Inspect.class, ImageCommand.Rm.class, ImageCommand.Prune.class})
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
            spec.commandLine().getOut().println(image.displayName());
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import a root filesystem tarball (plain, gzip or zstd), e.g. from docker export or debootstrap.")
    static final class Import implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "TAR")
        Path tar;

        @Parameters(index = "1", paramLabel = "NAME[:TAG]")
        String name;

        @Override
        public void run() {
            ImageRecord image = Main.berth(spec).importImage(Main.absolute(spec, tar), name);
            spec.commandLine().getOut().println(image.id());
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List images.")
    static final class Ls implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-q", "--quiet"}, description = "Print only the ids.")
        boolean quiet;

        @Option(names = "--digests", description = "Show the digests the images were pulled by.")
        boolean digests;

        @Override
        public void run() {
            List<ImageRecord> images = Main.berth(spec).images();
            if (quiet) {
                images.forEach(i -> spec.commandLine().getOut().println(i.shortId()));
                spec.commandLine().getOut().flush();
                return;
            }
            Table table = digests ? new Table("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
                    : new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            for (ImageRecord image : images) {
                List<String[]> rows = new ArrayList<>();
                for (String name : image.names()) {
                    ImageReference ref = ImageReference.parse(name);
                    String familiar = ref.familiar();
                    rows.add(new String[] {familiar.substring(0, familiar.length() - ref.tag().length() - 1), ref.tag()});
                }
                if (rows.isEmpty()) {
                    rows.add(new String[] {image.repoDigests().isEmpty() ? "<none>"
                            : ImageReference.parse(image.repoDigests().getFirst()).familiar().split("@")[0], "<none>"});
                }
                String digest = image.repoDigests().isEmpty() ? "<none>" : image.repoDigests().getFirst().split("@")[1];
                for (String[] row : rows) {
                    String size = PullPrinter.bytes(image.size());
                    if (digests) {
                        table.add(row[0], row[1], digest, image.shortId(), Table.ago(image.created()), size);
                    } else {
                        table.add(row[0], row[1], image.shortId(), Table.ago(image.created()), size);
                    }
                }
            }
            table.print(spec.commandLine().getOut());
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show images in Docker's JSON shape.")
    static final class Inspect implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> names;

        @Override
        public void run() {
            List<Map<String, Object>> views = new ArrayList<>();
            var berth = Main.berth(spec);
            for (String name : names) {
                views.add(DockerViews.image(berth.image(name), berth.paths().imageLayers()));
            }
            spec.commandLine().getOut().println(Json.render(views));
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove images no container uses.")
    static final class Rm implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> names;

        @Override
        public void run() {
            for (String name : names) {
                Main.berth(spec).removeImage(name).forEach(spec.commandLine().getOut()::println);
            }
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Remove images without a name that no container uses, and layers no image uses.")
    static final class Prune implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            Main.berth(spec).pruneImages().forEach(spec.commandLine().getOut()::println);
        }
    }
}
