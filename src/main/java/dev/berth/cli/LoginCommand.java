package dev.berth.cli;

import dev.berth.BerthException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code berth login} and {@code berth logout}: registry credentials, checked before they are kept. */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = "Log in to a registry (the password is read from standard input with --password-stdin).")
final class LoginCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-u", "--username"}, required = true)
    String username;

    @Option(names = {"-p", "--password"}, description = "The password (prefer --password-stdin: this one shows in ps).")
    String password;

    @Option(names = "--password-stdin", description = "Read the password from standard input.")
    boolean passwordStdin;

    @Parameters(paramLabel = "REGISTRY", description = "host[:port], e.g. 127.0.0.1:5000")
    String registry;

    @Override
    public void run() {
        String secret = password;
        if (passwordStdin) {
            try {
                secret = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new BerthException("cannot read the password from standard input: " + e.getMessage(), e);
            }
        }
        if (secret == null || secret.isEmpty()) {
            throw new BerthException("no password given: use --password-stdin (or -p)");
        }
        Main.berth(spec).login(registry, username, secret, Main.environment(spec));
        spec.commandLine().getOut().println("Login Succeeded");
    }

    @Command(name = "logout", mixinStandardHelpOptions = true, description = "Forget the login for a registry.")
    static final class Logout implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "REGISTRY")
        String registry;

        @Override
        public void run() {
            boolean had = Main.berth(spec).logout(registry, Main.environment(spec));
            spec.commandLine().getOut().println(had ? "Removing login credentials for " + registry
                    : "Not logged in to " + registry);
        }
    }
}
