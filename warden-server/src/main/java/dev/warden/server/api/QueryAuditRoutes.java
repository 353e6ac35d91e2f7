package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.server.audit.QueryEvent;
import dev.warden.server.audit.QueryEvent.AppliedPolicies;
import dev.warden.server.audit.QueryEvent.QueryError;
import dev.warden.server.audit.QueryEvent.TableRead;
import dev.warden.server.audit.QueryEventFilter;
import dev.warden.server.audit.QueryEvents;
import dev.warden.server.auth.Permission;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

import static java.util.Objects.requireNonNull;

/**
 * {@code /api/v1/audit/queries}: enforcement points send batches of the queries they ran (SERVICE); auditors list
 * them (AUDIT).
 */
public final class QueryAuditRoutes
{
    public static final int MAX_EVENTS_PER_BATCH = 1_000;
    private static final int MAX_NAME = 255;
    private static final int MAX_TABLE_NAME = 1_000;
    private static final int MAX_TEXT = 1_000_000;

    private final QueryEvents events;
    private final ObjectMapper json;

    public QueryAuditRoutes(QueryEvents events, ObjectMapper json)
    {
        this.events = requireNonNull(events, "events is null");
        this.json = requireNonNull(json, "json is null");
    }

    /** Stores a batch {@code {"events": [...]}}; events the server already has (same source and query id) are skipped. */
    public ObjectNode receive(Caller caller, Context context)
    {
        caller.require(Permission.SERVICE);
        JsonNode body = Requests.objectBody(json, context, "{\"events\": [...]}");
        Requests.Fields fields = new Requests.Fields();
        if (!body.has("events")) {
            throw ApiException.badRequest("events", "'events' is required");
        }
        List<JsonNode> items = fields.array(body, "", "events");
        if (items.size() > MAX_EVENTS_PER_BATCH) {
            throw ApiException.badRequest("events", "a batch holds at most %d events, not %d".formatted(MAX_EVENTS_PER_BATCH, items.size()));
        }
        List<QueryEvent> batch = new ArrayList<>();
        for (int index = 0; index < items.size(); index++) {
            parseEvent(items.get(index), "events[" + index + "]", fields).ifPresent(batch::add);
        }
        fields.throwIfAny();
        QueryEvents.Recorded recorded = events.record(batch);
        return json.createObjectNode()
                .put("received", batch.size())
                .put("stored", recorded.stored())
                .put("duplicates", recorded.duplicates());
    }

    public ObjectNode list(Caller caller, Context context)
    {
        caller.require(Permission.AUDIT);
        QueryEventFilter filter = new QueryEventFilter(
                Optional.ofNullable(context.queryParam("source")),
                Optional.ofNullable(context.queryParam("user")),
                Optional.ofNullable(context.queryParam("queryId")),
                Optional.ofNullable(context.queryParam("table")),
                Optional.ofNullable(context.queryParam("dataSource")),
                Requests.booleanParameter(context, "denied"),
                Requests.instantParameter(context, "since"),
                Requests.instantParameter(context, "until"),
                Requests.intParameter(context, "offset", 0, 0, Integer.MAX_VALUE),
                Requests.intParameter(context, "limit", 100, 1, 1_000));
        ObjectNode body = json.createObjectNode()
                .put("offset", filter.offset())
                .put("limit", filter.limit());
        ArrayNode list = body.putArray("events");
        events.list(filter).forEach(stored -> list.add(toJson(stored)));
        return body;
    }

    private static Optional<QueryEvent> parseEvent(JsonNode item, String path, Requests.Fields fields)
    {
        if (!item.isObject()) {
            fields.problem(path, "must be an object");
            return Optional.empty();
        }
        int problemsBefore = fields.count();
        String source = fields.requiredText(item, path, "source", MAX_NAME);
        String queryId = fields.requiredText(item, path, "queryId", MAX_NAME);
        String user = fields.requiredText(item, path, "user", MAX_NAME);
        Optional<String> wardenUser = fields.optionalText(item, path, "wardenUser", MAX_NAME);
        Optional<String> project = fields.optionalText(item, path, "project", MAX_NAME);
        String queryText = fields.requiredText(item, path, "queryText", MAX_TEXT);
        QueryEvent.State state = state(item, path, fields);
        Instant createTime = fields.requiredInstant(item, path, "createTime");
        Instant endTime = fields.requiredInstant(item, path, "endTime");
        if (createTime != null && endTime != null && endTime.isBefore(createTime)) {
            fields.problem(path + ".endTime", "is before createTime");
        }
        List<TableRead> tables = namedLists(item, path, "tables", "table", MAX_TABLE_NAME, "columns", fields, TableRead::new);
        List<AppliedPolicies> dataSources = namedLists(item, path, "dataSources", "dataSource", MAX_NAME, "policies", fields, AppliedPolicies::new);
        List<String> denials = fields.texts(item, path, "denials", MAX_TEXT);
        Optional<QueryError> error = error(item, path, state, fields);
        if (fields.count() > problemsBefore) {
            return Optional.empty();
        }
        return Optional.of(new QueryEvent(source, queryId, user, wardenUser, project, queryText, state, createTime, endTime, tables, dataSources, denials, error));
    }

    /** An optional array of objects {@code {nameField: "...", listField: ["...", ...]}}, such as the tables read. */
    private static <T> List<T> namedLists(JsonNode item, String path, String arrayField, String nameField, int maxNameLength, String listField,
            Requests.Fields fields, BiFunction<String, List<String>, T> create)
    {
        List<T> values = new ArrayList<>();
        List<JsonNode> elements = fields.array(item, path, arrayField);
        for (int index = 0; index < elements.size(); index++) {
            String elementPath = "%s.%s[%d]".formatted(path, arrayField, index);
            JsonNode element = elements.get(index);
            if (!element.isObject()) {
                fields.problem(elementPath, "must be an object {\"%s\", \"%s\"}".formatted(nameField, listField));
                continue;
            }
            String name = fields.requiredText(element, elementPath, nameField, maxNameLength);
            List<String> list = fields.texts(element, elementPath, listField, MAX_NAME);
            if (name != null) {
                values.add(create.apply(name, list));
            }
        }
        return values;
    }

    private static QueryEvent.State state(JsonNode item, String path, Requests.Fields fields)
    {
        String state = fields.requiredText(item, path, "state", MAX_NAME);
        if (state == null) {
            return null;
        }
        try {
            return QueryEvent.State.valueOf(state);
        }
        catch (IllegalArgumentException _) {
            fields.problem(path + ".state", "must be FINISHED or FAILED, not '%s'".formatted(state));
            return null;
        }
    }

    /** Present exactly when the query failed. */
    private static Optional<QueryError> error(JsonNode item, String path, QueryEvent.State state, Requests.Fields fields)
    {
        JsonNode error = item.get("error");
        boolean present = error != null && !error.isNull();
        if (state == QueryEvent.State.FINISHED && present) {
            fields.problem(path + ".error", "a FINISHED query has no error");
            return Optional.empty();
        }
        if (state != QueryEvent.State.FAILED) {
            return Optional.empty();
        }
        if (!present || !error.isObject()) {
            fields.problem(path + ".error", "a FAILED query needs an error {\"code\", \"message\"}");
            return Optional.empty();
        }
        String code = fields.requiredText(error, path + ".error", "code", MAX_NAME);
        Optional<String> message = fields.optionalText(error, path + ".error", "message", MAX_TEXT);
        return code == null ? Optional.empty() : Optional.of(new QueryError(code, message.orElse("")));
    }

    private ObjectNode toJson(QueryEvents.Stored stored)
    {
        QueryEvent event = stored.event();
        ObjectNode node = json.createObjectNode()
                .put("id", stored.id())
                .put("receivedAt", stored.receivedAt().toString())
                .put("source", event.source())
                .put("queryId", event.queryId())
                .put("user", event.user())
                .put("wardenUser", event.wardenUser().orElse(null))
                .put("project", event.project().orElse(null))
                .put("queryText", event.queryText())
                .put("state", event.state().name())
                .put("createTime", event.createTime().toString())
                .put("endTime", event.endTime().toString())
                .put("denied", event.denied());
        ArrayNode tables = node.putArray("tables");
        event.tables().forEach(table -> {
            ObjectNode tableNode = tables.addObject().put("table", table.table());
            table.columns().forEach(tableNode.putArray("columns")::add);
        });
        ArrayNode dataSources = node.putArray("dataSources");
        event.dataSources().forEach(dataSource -> {
            ObjectNode dataSourceNode = dataSources.addObject().put("dataSource", dataSource.dataSource());
            dataSource.policies().forEach(dataSourceNode.putArray("policies")::add);
        });
        event.denials().forEach(node.putArray("denials")::add);
        if (event.error().isPresent()) {
            node.putObject("error").put("code", event.error().get().code()).put("message", event.error().get().message());
        }
        else {
            node.putNull("error");
        }
        return node;
    }
}
