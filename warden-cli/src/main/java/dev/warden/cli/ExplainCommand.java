package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.warden.bundle.Bundle;
import dev.warden.policy.engine.DecisionDocument;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.sql.SqlDialect;
import dev.warden.policy.sql.SqlRenderer;
import dev.warden.policy.state.UnknownEntityException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Show what one user may do with one data source, and why: access, masks, row filter and every policy's outcome.",
                "Decides on a bundle (--policies) or asks a server for its live state (--server)."})
final class ExplainCommand
        implements Callable<Integer>
{
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Dialect
    {
        trino, postgres
    }

    /** Where the policies come from: a bundle, or a server. */
    static final class Source
    {
        @Option(names = "--policies", required = true, paramLabel = "DIR", description = "The bundle directory (or a single YAML file).")
        Path directory;

        @Option(names = "--server", required = true, paramLabel = "URL", description = "A Warden server, such as http://127.0.0.1:8470.")
        URI server;
    }

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    @Option(names = "--api-key", paramLabel = "KEY", description = "With --server: an API key that may ask about the user; default: WARDEN_API_KEY.")
    private String apiKey;

    @Option(names = "--user", required = true, paramLabel = "USER")
    private String user;

    @Option(names = "--data-source", required = true, paramLabel = "ID")
    private String dataSourceId;

    @Option(names = "--project", paramLabel = "PROJECT", description = "Act under this project instead of the user's current one.")
    private String project;

    @Option(names = "--dialect", defaultValue = "trino", paramLabel = "DIALECT", description = "SQL dialect of masks and filters: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Dialect dialect;

    @Option(names = "--json", description = "Print a JSON document instead of text.")
    private boolean json;

    @Override
    public Integer call()
            throws IOException, InterruptedException
    {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<JsonNode> document;
        try {
            document = source.server != null ? fromServer(err) : fromBundle(err);
        }
        catch (UnknownEntityException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return WardenCommand.EXIT_UNKNOWN_ENTITY;
        }
        if (document.isEmpty()) {
            return WardenCommand.EXIT_FAILED;
        }
        if (json) {
            out.println(JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document.get()));
        }
        else {
            printText(out, document.get());
        }
        out.flush();
        return 0;
    }

    private Optional<JsonNode> fromBundle(PrintWriter err)
    {
        Optional<Bundle> bundle = Bundles.load(source.directory, err);
        if (bundle.isEmpty()) {
            return Optional.empty();
        }
        PolicyEngine engine = new PolicyEngine(bundle.get().state());
        UserContext context = engine.state().userContext(user, Optional.ofNullable(project));
        DataSource dataSource = engine.state().dataSources().get(dataSourceId);
        if (dataSource == null) {
            throw new UnknownEntityException("no data source with id '" + dataSourceId + "'");
        }
        SqlRenderer renderer = SqlRenderer.forUser(dialect == Dialect.trino ? SqlDialect.TRINO : SqlDialect.POSTGRES, context);
        return Optional.of(JSON.valueToTree(DecisionDocument.of(context, dataSource, engine.decide(context, dataSource), renderer)));
    }

    private Optional<JsonNode> fromServer(PrintWriter err)
            throws IOException, InterruptedException
    {
        Optional<String> key = ServerCalls.apiKey(apiKey, err);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        String query = "user=" + encode(user) + "&dataSource=" + encode(dataSourceId) + "&dialect=" + dialect.name()
                + (project == null ? "" : "&project=" + encode(project));
        Optional<ServerCalls.Answer> answer = ServerCalls.send(source.server, key.get(), "GET", "/api/v1/explain?" + query, null, null, err);
        if (answer.isEmpty()) {
            return Optional.empty();
        }
        if (answer.get().status() == 404) {
            throw new UnknownEntityException(answer.get().message());
        }
        if (answer.get().status() != 200) {
            ServerCalls.printRefusal(answer.get(), err);
            return Optional.empty();
        }
        JsonNode body = answer.get().body();
        return Optional.of(body);
    }

    private static String encode(String value)
    {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void printText(PrintWriter out, JsonNode document)
    {
        boolean hasAccess = !document.get("access").isEmpty();
        out.println("Decision for " + document.get("user").asText() + " on " + document.get("dataSource").asText()
                + (document.get("project").isNull() ? " (no project)" : " acting under project " + document.get("project").asText())
                + ", " + document.get("dialect").asText().toUpperCase(Locale.ROOT) + " SQL");
        out.println();
        List<String> access = new ArrayList<>();
        document.get("access").forEach(value -> access.add(value.asText()));
        out.println("Access: " + (access.isEmpty() ? "none" : String.join(", ", access)));
        out.println();
        out.println("Columns:");
        int width = 0;
        for (JsonNode column : document.get("columns")) {
            width = Math.max(width, column.get("name").asText().length());
        }
        for (JsonNode column : document.get("columns")) {
            String shown = column.get("masked").asBoolean() ? "masked  " + column.get("mask").asText() : "shown";
            out.printf("  %-" + width + "s  %s%n", column.get("name").asText(), hasAccess ? shown : "-");
        }
        out.println();
        out.println("Row filter:");
        out.println("  " + (document.get("rowFilter").isNull() ? (hasAccess ? "none: every row" : "-") : document.get("rowFilter").asText()));
        out.println();
        out.println("Reasons:");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"POLICY", "NAME", "KIND", "OUTCOME", "EXPLANATION"});
        for (JsonNode reason : document.path("reasons")) {
            rows.add(new String[] {reason.get("policyId").asText(), reason.get("policyName").asText(), reason.get("kind").asText(),
                    reason.get("outcome").asText(), reason.get("explanation").asText()});
        }
        int[] widths = new int[4];
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            out.printf("  %-" + widths[0] + "s  %-" + widths[1] + "s  %-" + widths[2] + "s  %-" + widths[3] + "s  %s%n", (Object[]) row);
        }
    }
}
