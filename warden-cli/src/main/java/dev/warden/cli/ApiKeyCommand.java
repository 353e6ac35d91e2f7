package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.Optional;

@Command(name = "api-key", mixinStandardHelpOptions = true,
        description = {"Create, list and revoke a Warden server's API keys (needs an ADMIN key).",
                "A new key is printed once; the server keeps only its hash. Enforcement points such as the Trino plugin use a key with permission SERVICE."},
        subcommands = {ApiKeyCommand.Create.class, ApiKeyCommand.ListKeys.class, ApiKeyCommand.Revoke.class})
final class ApiKeyCommand
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The server and the admin key every subcommand needs. */
    static final class Connection
    {
        @Option(names = "--server", required = true, paramLabel = "URL", description = "The server, such as http://127.0.0.1:8470.")
        URI server;

        @Option(names = "--api-key", paramLabel = "KEY", description = "An ADMIN API key; default: the WARDEN_API_KEY environment variable.")
        String apiKey;

        /** Sends a request and returns the body of a successful answer; prints the error otherwise. */
        Optional<JsonNode> call(String method, String path, String body, int expectedStatus, PrintWriter err)
                throws InterruptedException
        {
            Optional<String> key = ServerCalls.apiKey(apiKey, err);
            if (key.isEmpty()) {
                return Optional.empty();
            }
            Optional<ServerCalls.Answer> answer = ServerCalls.send(server, key.get(), method, path, "application/json", body, err);
            if (answer.isPresent() && answer.get().status() != expectedStatus) {
                ServerCalls.printRefusal(answer.get(), err);
                return Optional.empty();
            }
            return answer.map(ServerCalls.Answer::body);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key and print it (shown only this once).")
    static final class Create
            implements java.util.concurrent.Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @picocli.CommandLine.Mixin
        private Connection connection;

        @Option(names = "--name", required = true, description = "What the key is for, such as trino-production.")
        private String name;

        @Option(names = "--permission", required = true, split = ",", paramLabel = "PERMISSION",
                description = "ADMIN, GOVERNANCE, CREATE_DATA_SOURCE, USER_ADMIN, AUDIT or SERVICE; repeat or separate with commas.")
        private List<String> permissions;

        @Option(names = "--user", paramLabel = "USER", description = "The Warden user the key acts as (for ownership of data sources).")
        private String user;

        @Override
        public Integer call()
                throws InterruptedException
        {
            ObjectNode request = JSON.createObjectNode().put("name", name).put("user", user);
            permissions.forEach(request.putArray("permissions")::add);
            Optional<JsonNode> created = connection.call("POST", "/api/v1/api-keys", request.toString(), 201, spec.commandLine().getErr());
            if (created.isEmpty()) {
                return WardenCommand.EXIT_FAILED;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(created.get().get("key").asText());
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.printf("created %s (%s) with %s; the key above is shown only once%n", created.get().get("id").asText(), name, created.get().get("permissions"));
            err.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys, without their secrets.")
    static final class ListKeys
            implements java.util.concurrent.Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @picocli.CommandLine.Mixin
        private Connection connection;

        @Override
        public Integer call()
                throws InterruptedException
        {
            Optional<JsonNode> listed = connection.call("GET", "/api/v1/api-keys", null, 200, spec.commandLine().getErr());
            if (listed.isEmpty()) {
                return WardenCommand.EXIT_FAILED;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-22s %-24s %-36s %s%n", "ID", "NAME", "PERMISSIONS", "STATUS");
            for (JsonNode key : listed.get().get("apiKeys")) {
                List<String> granted = new java.util.ArrayList<>();
                key.get("permissions").forEach(permission -> granted.add(permission.asText()));
                out.printf("%-22s %-24s %-36s %s%n", key.get("id").asText(), key.get("name").asText(), String.join(",", granted),
                        key.get("revokedAt").isNull() ? "active" : "revoked " + key.get("revokedAt").asText());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key at once.")
    static final class Revoke
            implements java.util.concurrent.Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @picocli.CommandLine.Mixin
        private Connection connection;

        @Parameters(index = "0", paramLabel = "ID", description = "The key's id (key_...), as listed.")
        private String id;

        @Override
        public Integer call()
                throws InterruptedException
        {
            Optional<JsonNode> revoked = connection.call("DELETE", "/api/v1/api-keys/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8), null, 200, spec.commandLine().getErr());
            if (revoked.isEmpty()) {
                return WardenCommand.EXIT_FAILED;
            }
            spec.commandLine().getOut().println("revoked " + id);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
