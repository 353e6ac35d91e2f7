package dev.warden.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.warden.bundle.Bundle;
import dev.warden.policy.engine.Decision;
import dev.warden.policy.engine.DecisionDocument;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.engine.Reason;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.sql.SqlDialect;
import dev.warden.policy.sql.SqlRenderer;
import dev.warden.policy.state.UnknownEntityException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Show what one user may do with one data source, and why: access, masks, row filter and every policy's outcome.")
final class ExplainCommand
        implements Callable<Integer>
{
    enum Dialect
    {
        trino, postgres
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--policies", required = true, paramLabel = "DIR", description = "The bundle directory (or a single YAML file).")
    private Path directory;

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
            throws JsonProcessingException
    {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<Bundle> bundle = Bundles.load(directory, err);
        if (bundle.isEmpty()) {
            return WardenCommand.EXIT_FAILED;
        }
        PolicyEngine engine = new PolicyEngine(bundle.get().state());
        UserContext context;
        try {
            context = engine.state().userContext(user, Optional.ofNullable(project));
        }
        catch (UnknownEntityException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return WardenCommand.EXIT_UNKNOWN_ENTITY;
        }
        DataSource dataSource = engine.state().dataSources().get(dataSourceId);
        if (dataSource == null) {
            err.println("error: no data source with id '" + dataSourceId + "'");
            err.flush();
            return WardenCommand.EXIT_UNKNOWN_ENTITY;
        }
        Decision decision = engine.decide(context, dataSource);
        SqlRenderer renderer = SqlRenderer.forUser(dialect == Dialect.trino ? SqlDialect.TRINO : SqlDialect.POSTGRES, context);
        Map<String, Object> document = DecisionDocument.of(context, dataSource, decision, renderer);
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
        }
        else {
            printText(out, context, dataSource, decision, renderer);
        }
        out.flush();
        return 0;
    }

    private void printText(PrintWriter out, UserContext context, DataSource dataSource, Decision decision, SqlRenderer renderer)
    {
        out.println("Decision for " + context.name() + " on " + dataSource.id()
                + context.currentProject().map(name -> " acting under project " + name).orElse(" (no project)")
                + ", " + dialect.name().toUpperCase(Locale.ROOT) + " SQL");
        out.println();
        out.println("Access: " + (decision.accessValues().isEmpty() ? "none" : String.join(", ", decision.accessValues().stream().sorted().map(Enum::name).toList())));
        out.println();
        out.println("Columns:");
        int width = dataSource.columns().stream().mapToInt(column -> column.name().length()).max().orElse(0);
        for (Column column : dataSource.columns()) {
            String mask = Optional.ofNullable(decision.masks().get(column.name())).map(renderer::render).map(sql -> "masked  " + sql).orElse("shown");
            out.printf("  %-" + width + "s  %s%n", column.name(), decision.hasAccess() ? mask : "-");
        }
        out.println();
        out.println("Row filter:");
        out.println("  " + decision.rowFilter().map(renderer::render).orElse(decision.hasAccess() ? "none: every row" : "-"));
        out.println();
        out.println("Reasons:");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"POLICY", "NAME", "KIND", "OUTCOME", "EXPLANATION"});
        for (Reason reason : decision.reasons()) {
            rows.add(new String[] {reason.policyId(), reason.policyName(), reason.policyKind(), reason.outcome().name(), reason.explanation()});
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
