package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.policy.engine.DecisionDocument;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.sql.SqlDialect;
import dev.warden.policy.sql.SqlRenderer;
import dev.warden.policy.state.UnknownEntityException;
import dev.warden.server.auth.Permission;
import dev.warden.server.state.PolicyStateService;
import dev.warden.server.state.PolicyStateService.Current;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Decisions on the live state: {@code POST /api/v1/decisions} for one user on many data sources, and
 * {@code GET /api/v1/explain} for one, as {@code warden explain} shows it. Governors, auditors and admins may ask
 * about anyone; a key acting as a Warden user may ask about that user.
 */
public final class DecisionRoutes
{
    private static final int MAX_DATA_SOURCES = 1_000;

    private final PolicyStateService state;
    private final ObjectMapper json;

    public DecisionRoutes(PolicyStateService state, ObjectMapper json)
    {
        this.state = requireNonNull(state, "state is null");
        this.json = requireNonNull(json, "json is null");
    }

    /** The decisions, as maps that Jackson writes once, rather than building a JSON tree to write afterwards. */
    public Map<String, Object> decisions(Caller caller, Context context)
    {
        JsonNode request = Requests.objectBody(json, context, "{\"user\", \"project\", \"dataSources\", \"dialect\", \"reasons\"}");
        String user = Requests.requiredText(request, "user");
        Optional<String> project = Optional.ofNullable(request.get("project")).filter(node -> !node.isNull()).map(JsonNode::asText);
        JsonNode ids = request.get("dataSources");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > MAX_DATA_SOURCES) {
            throw ApiException.badRequest("dataSources", "dataSources must be a list of 1 to %d data source ids".formatted(MAX_DATA_SOURCES));
        }
        SqlDialect dialect = dialect(Optional.ofNullable(request.get("dialect")).map(JsonNode::asText));
        DecisionDocument.ReasonDetail reasons = reasonDetail(Optional.ofNullable(request.get("reasons")).map(JsonNode::asText));
        authorize(caller, user);

        Current current = state.current();
        UserContext person = userContext(current.engine(), user, project);
        SqlRenderer renderer = SqlRenderer.forUser(dialect, person);
        List<DataSource> dataSources = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            dataSources.add(dataSource(current.engine(), ids.get(i).asText(), "dataSources[" + i + "]"));
        }
        List<Map<String, Object>> decisions = new ArrayList<>(dataSources.size());
        for (DataSource dataSource : dataSources) {
            decisions.add(DecisionDocument.of(person, dataSource, current.engine().decide(person, dataSource), renderer, reasons));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("revision", current.revision());
        body.put("decisions", decisions);
        return body;
    }

    public Map<String, Object> explain(Caller caller, Context context)
    {
        String user = Requests.requiredParameter(context, "user");
        String dataSourceId = Requests.requiredParameter(context, "dataSource");
        SqlDialect dialect = dialect(Optional.ofNullable(context.queryParam("dialect")));
        authorize(caller, user);
        Current current = state.current();
        UserContext userContext = userContext(current.engine(), user, Optional.ofNullable(context.queryParam("project")));
        DataSource dataSource = dataSource(current.engine(), dataSourceId, "dataSource");
        Map<String, Object> body = new LinkedHashMap<>(DecisionDocument.of(userContext, dataSource, current.engine().decide(userContext, dataSource),
                SqlRenderer.forUser(dialect, userContext)));
        body.put("revision", current.revision());
        return body;
    }

    private static void authorize(Caller caller, String user)
    {
        if (caller.key().has(Permission.GOVERNANCE) || caller.key().has(Permission.AUDIT)) {
            return;
        }
        if (caller.key().wardenUser().filter(user::equals).isPresent()) {
            return;
        }
        throw ApiException.forbidden("asking about user '%s' needs the GOVERNANCE or AUDIT permission, which API key '%s' lacks".formatted(user, caller.key().name()));
    }

    private static UserContext userContext(PolicyEngine engine, String user, Optional<String> project)
    {
        try {
            return engine.state().userContext(user, project);
        }
        catch (UnknownEntityException e) {
            throw new ApiException(404, "NOT_FOUND", e.getMessage(), Optional.of(project.isPresent() && engine.state().users().containsKey(user) ? "project" : "user"));
        }
    }

    private static DataSource dataSource(PolicyEngine engine, String id, String field)
    {
        DataSource dataSource = engine.state().dataSources().get(id);
        if (dataSource == null) {
            throw new ApiException(404, "NOT_FOUND", "no data source with id '%s'".formatted(id), Optional.of(field));
        }
        return dataSource;
    }

    private static SqlDialect dialect(Optional<String> name)
    {
        String value = name.orElse("trino");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "trino" -> SqlDialect.TRINO;
            case "postgres", "postgresql" -> SqlDialect.POSTGRES;
            default -> throw ApiException.badRequest("dialect", "dialect must be trino or postgres, not '%s'".formatted(value));
        };
    }

    /** {@code all}, {@code inForce} (the default for decisions: policies whose scope misses the data source are left out) or {@code none}. */
    private static DecisionDocument.ReasonDetail reasonDetail(Optional<String> name)
    {
        return switch (name.orElse("inForce")) {
            case "all" -> DecisionDocument.ReasonDetail.ALL;
            case "inForce" -> DecisionDocument.ReasonDetail.IN_FORCE;
            case "none" -> DecisionDocument.ReasonDetail.NONE;
            default -> throw ApiException.badRequest("reasons", "reasons must be all, inForce or none, not '%s'".formatted(name.get()));
        };
    }
}
