package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.bundle.Bundle;
import dev.warden.bundle.BundleWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Make a Warden server's policy state equal to a bundle, in one revision.",
                "Everything the bundle defines is created or updated; what it lacks is deleted. --dry-run only lists the changes."})
final class ApplyCommand
        implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The bundle directory (or a single YAML file).")
    private Path directory;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "The server, such as http://127.0.0.1:8470.")
    private URI server;

    @Option(names = "--api-key", paramLabel = "KEY", description = "An admin API key; default: the WARDEN_API_KEY environment variable.")
    private String apiKey;

    @Option(names = "--dry-run", description = "List what would change, and change nothing.")
    private boolean dryRun;

    @Override
    public Integer call()
            throws IOException, InterruptedException
    {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<String> key = ServerCalls.apiKey(apiKey, err);
        if (key.isEmpty()) {
            return WardenCommand.EXIT_FAILED;
        }
        Optional<Bundle> bundle = Bundles.load(directory, err);
        if (bundle.isEmpty()) {
            return WardenCommand.EXIT_FAILED;
        }
        Optional<ServerCalls.Answer> answer = ServerCalls.send(server, key.get(), "POST", "/api/v1/apply" + (dryRun ? "?dryRun=true" : ""),
                "application/yaml", BundleWriter.write(bundle.get().state(), List.of()), err);
        if (answer.isEmpty()) {
            return WardenCommand.EXIT_FAILED;
        }
        if (answer.get().status() != 200) {
            err.println("error: the server refused the bundle (HTTP %d): %s".formatted(answer.get().status(), answer.get().message()));
            err.flush();
            return WardenCommand.EXIT_FAILED;
        }
        JsonNode body = answer.get().body();
        for (JsonNode change : body.get("changes")) {
            out.printf("%-6s %s %s%n", change.get("operation").asText(), change.get("section").asText(), change.get("id").asText());
        }
        out.printf("%s %d change(s)%s; server at revision %d%n", dryRun ? "would apply" : "applied", body.get("changes").size(),
                dryRun ? " (dry run: nothing changed)" : "", body.get("revision").asLong());
        out.flush();
        return 0;
    }
}
