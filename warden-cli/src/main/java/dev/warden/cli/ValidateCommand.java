package dev.warden.cli;

import dev.warden.bundle.Bundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Load a bundle and report every error in it as file:line:column: field: message.")
final class ValidateCommand
        implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The bundle directory (or a single YAML file).")
    private Path directory;

    @Override
    public Integer call()
    {
        PrintWriter out = spec.commandLine().getOut();
        Optional<Bundle> bundle = Bundles.load(directory, spec.commandLine().getErr());
        if (bundle.isEmpty()) {
            return WardenCommand.EXIT_FAILED;
        }
        out.printf("OK: %d data sources, %d policies, %d expectations%n",
                bundle.get().state().dataSources().size(), bundle.get().state().policies().size(), bundle.get().expectations().size());
        out.flush();
        return 0;
    }
}
