package dev.warden.trino.e2e;

import dev.warden.trino.testing.ProcessOutput;
import dev.warden.trino.testing.TrinoServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/warden quickstart as a user runs it: it starts Warden and Trino, the commands it prints show different rows and
 * masked values for alice and bob and a denial for carol, and Ctrl-C (SIGINT) stops everything it started.
 */
class QuickstartIT
{
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @Test
    void printedCommandsShowWhatEachUserMaySeeAndCtrlCStopsEverything(@TempDir Path directory)
            throws Exception
    {
        TrinoServerProcess.requireCachedServer();
        TrinoServerProcess.requireCachedCli();
        // env --default-signal=INT: a process started in the background gets SIGINT ignored, and bash keeps it so;
        // this one must react to it as in a terminal.
        ProcessBuilder builder = new ProcessBuilder("env", "--default-signal=INT", REPOSITORY.resolve("bin/warden").toString(), "quickstart")
                .directory(REPOSITORY.toFile())
                .redirectError(directory.resolve("quickstart.err").toFile());
        builder.environment().put("WARDEN_QUICKSTART_DIR", directory.resolve("quickstart").toString());
        builder.environment().put("WARDEN_QUICKSTART_WARDEN_PORT", Integer.toString(TrinoServerProcess.freePort()));
        builder.environment().put("WARDEN_QUICKSTART_TRINO_PORT", Integer.toString(TrinoServerProcess.freePort()));
        Process quickstart = builder.start();
        ProcessOutput printed = ProcessOutput.follow(quickstart, "quickstart", line -> line.contains("Press Ctrl-C"));

        try {
            try {
                printed.awaitedLine().get(5, TimeUnit.MINUTES);
            }
            catch (ExecutionException | TimeoutException e) {
                throw new AssertionError("quickstart did not get ready:\n" + printed.text() + "\n" + Files.readString(directory.resolve("quickstart.err")), e);
            }
            List<String> started = quickstart.descendants().map(process -> process.pid() + " " + process.info().commandLine().orElse("?")).toList();
            assertThat(started).as("the Warden server and Trino").anyMatch(process -> process.contains("warden.jar server")).anyMatch(process -> process.contains("io.trino.server.TrinoServer"));

            // Customers 1 to 5: BUILDING, AUTOMOBILE, AUTOMOBILE, MACHINERY, HOUSEHOLD; customer 1's balance is 711.56.
            CommandResult alice = run(command(printed, "alice"));
            CommandResult bob = run(command(printed, "bob"));
            CommandResult carol = run(command(printed, "carol"));

            assertThat(alice.exitCode()).as(alice.output()).isZero();
            assertThat(bob.exitCode()).as(bob.output()).isZero();
            assertThat(alice.rows()).hasSize(5).allMatch(row -> row.contains("\"AUTOMOBILE\"") || row.contains("\"BUILDING\""));
            assertThat(alice.rows().getFirst()).startsWith("\"1\",").contains("\"0.0\"").doesNotContain("Customer#000000001");
            assertThat(bob.rows()).hasSize(5).anyMatch(row -> row.contains("\"MACHINERY\""));
            assertThat(bob.rows().getFirst()).startsWith("\"1\",").contains("\"711.56\"").doesNotContain("Customer#000000001");
            assertThat(carol.exitCode()).isNotZero();
            assertThat(carol.output()).contains("Access Denied");
        }
        finally {
            List<ProcessHandle> children = quickstart.descendants().toList();
            new ProcessBuilder("kill", "-INT", Long.toString(quickstart.pid())).inheritIO().start().waitFor();
            boolean stopped = quickstart.waitFor(90, TimeUnit.SECONDS);
            if (!stopped) {
                children.forEach(ProcessHandle::destroyForcibly);
                quickstart.destroyForcibly();
            }
            assertThat(stopped).as("quickstart stopped after SIGINT").isTrue();
            assertThat(children).as("processes quickstart started").noneMatch(ProcessHandle::isAlive);
            assertThat(Files.readString(directory.resolve("quickstart.err"))).contains("quickstart: stopped");
        }
    }

    /** The command quickstart printed for a user's query. */
    private static String command(ProcessOutput printed, String user)
    {
        return printed.lines().stream()
                .map(String::strip)
                .filter(line -> line.contains("--user " + user + " --execute"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no command for " + user + " in:\n" + printed.text()));
    }

    private record CommandResult(int exitCode, String output)
    {
        /** The CSV rows the Trino command-line client printed (it prints warnings from the JVM and jline too). */
        List<String> rows()
        {
            return output.lines().filter(line -> line.startsWith("\"")).toList();
        }
    }

    private static CommandResult run(String command)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish: " + command);
        }
        return new CommandResult(process.exitValue(), output);
    }
}
