package dev.warden.cli;

import dev.warden.bundle.Bundle;
import dev.warden.bundle.expectations.ExpectationResult;
import dev.warden.bundle.expectations.ExpectationRunner;
import dev.warden.policy.engine.PolicyEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Check every expectation of a bundle against the engine's decisions.")
final class TestCommand
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
        ExpectationRunner runner = new ExpectationRunner(new PolicyEngine(bundle.get().state()), LocalDateTime.now(ZoneOffset.UTC));
        List<ExpectationResult> results = runner.runAll(bundle.get());
        int failed = 0;
        for (ExpectationResult result : results) {
            out.println((result.passed() ? "PASS " : "FAIL ") + result.source() + " " + result.expectation().describe());
            if (!result.passed()) {
                failed++;
                for (String failure : result.failures()) {
                    out.println("    " + failure.replace("\n", "\n    "));
                }
            }
        }
        out.printf("%d passed, %d failed%n", results.size() - failed, failed);
        out.flush();
        return failed == 0 ? 0 : WardenCommand.EXIT_FAILED;
    }
}
