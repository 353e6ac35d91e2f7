package dev.warden.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code warden}: policy as code from the command line. */
@Command(name = "warden",
        mixinStandardHelpOptions = true,
        version = "warden 0.1.0",
        description = "Warden: validate, explain and test policy bundles (directories of YAML files), apply them to a server, and run the server.",
        subcommands = {ValidateCommand.class, ExplainCommand.class, TestCommand.class, ApplyCommand.class, ApiKeyCommand.class, ServerCommand.class, CommandLine.HelpCommand.class})
public final class WardenCommand
{
    /** Exit code when the bundle has errors or an expectation fails. */
    static final int EXIT_FAILED = 1;
    /** Exit code when a user, project or data source named on the command line does not exist. */
    static final int EXIT_UNKNOWN_ENTITY = 2;

    public static void main(String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine()
    {
        return new CommandLine(new WardenCommand());
    }
}
