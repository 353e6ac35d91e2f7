package dev.warden.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A completed query as an enforcement point reports it to {@code POST /api/v1/audit/queries}.
 *
 * @param source the enforcement point that ran it, such as a Trino cluster's name
 * @param user the engine's user name
 * @param wardenUser the Warden user the engine's user maps to, when there is one
 * @param tablesRead each table read, as {@code catalog.schema.table}, with the columns read from it
 * @param policiesByDataSource the registered data sources the query touched, with the ids of the policies applied
 * @param denials what the access control refused during the query
 * @param error why the query failed; empty when it finished
 */
public record QueryEvent(
        String source,
        String queryId,
        String user,
        Optional<String> wardenUser,
        Optional<String> project,
        String queryText,
        Instant createTime,
        Instant endTime,
        Map<String, List<String>> tablesRead,
        Map<String, Set<String>> policiesByDataSource,
        List<String> denials,
        Optional<Failure> error)
{
    /** An engine's error: its name, such as {@code TABLE_NOT_FOUND}, and message. */
    public record Failure(String code, String message)
    {
        public Failure
        {
            requireNonNull(code, "code is null");
            requireNonNull(message, "message is null");
        }
    }

    public QueryEvent
    {
        requireNonNull(source, "source is null");
        requireNonNull(queryId, "queryId is null");
        requireNonNull(user, "user is null");
        requireNonNull(wardenUser, "wardenUser is null");
        requireNonNull(project, "project is null");
        requireNonNull(queryText, "queryText is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(endTime, "endTime is null");
        tablesRead = Map.copyOf(tablesRead);
        policiesByDataSource = Map.copyOf(policiesByDataSource);
        denials = List.copyOf(denials);
        requireNonNull(error, "error is null");
    }

    /** The event as the server reads it; tables, data sources and policies sorted, so that equal events read alike. */
    public ObjectNode toJson(ObjectMapper json)
    {
        ObjectNode node = json.createObjectNode()
                .put("source", source)
                .put("queryId", queryId)
                .put("user", user)
                .put("wardenUser", wardenUser.orElse(null))
                .put("project", project.orElse(null))
                .put("queryText", queryText)
                .put("state", error.isPresent() ? "FAILED" : "FINISHED")
                .put("createTime", createTime.toString())
                .put("endTime", endTime.toString());
        var tables = node.putArray("tables");
        tablesRead.keySet().stream().sorted().forEach(table -> {
            ObjectNode tableNode = tables.addObject().put("table", table);
            tablesRead.get(table).forEach(tableNode.putArray("columns")::add);
        });
        var dataSources = node.putArray("dataSources");
        policiesByDataSource.keySet().stream().sorted().forEach(dataSource -> {
            ObjectNode dataSourceNode = dataSources.addObject().put("dataSource", dataSource);
            policiesByDataSource.get(dataSource).stream().sorted().forEach(dataSourceNode.putArray("policies")::add);
        });
        denials.forEach(node.putArray("denials")::add);
        if (error.isPresent()) {
            node.putObject("error").put("code", error.get().code()).put("message", error.get().message());
        }
        return node;
    }
}
