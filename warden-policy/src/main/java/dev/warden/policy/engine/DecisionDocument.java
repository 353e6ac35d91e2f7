package dev.warden.policy.engine;

import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.sql.SqlRenderer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A decision as a document of plain maps and lists, with its masks and filter rendered in one dialect: what
 * {@code warden explain --json} prints and the server's decision endpoints return. Keys come in a fixed order.
 */
public final class DecisionDocument
{
    private DecisionDocument() {}

    /** Which reasons a document lists. */
    public enum ReasonDetail
    {
        /** Every policy, including those whose scope does not cover the data source. */
        ALL,
        /** The policies in force on the data source. */
        IN_FORCE,
        NONE
    }

    /** The decision with every reason, as {@code warden explain} shows it. */
    public static Map<String, Object> of(UserContext user, DataSource dataSource, Decision decision, SqlRenderer renderer)
    {
        return of(user, dataSource, decision, renderer, ReasonDetail.ALL);
    }

    public static Map<String, Object> of(UserContext user, DataSource dataSource, Decision decision, SqlRenderer renderer, ReasonDetail detail)
    {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("user", user.name());
        document.put("project", user.currentProject().orElse(null));
        document.put("dataSource", dataSource.id());
        document.put("dialect", renderer.dialect().name().toLowerCase(Locale.ROOT));
        document.put("access", decision.accessValues().stream().sorted().map(Enum::name).toList());
        List<Map<String, Object>> columns = new ArrayList<>();
        for (Column column : dataSource.columns()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", column.name());
            entry.put("type", column.type().toString());
            entry.put("masked", decision.masks().containsKey(column.name()));
            entry.put("mask", Optional.ofNullable(decision.masks().get(column.name())).map(renderer::render).orElse(null));
            columns.add(entry);
        }
        document.put("columns", columns);
        document.put("rowFilter", decision.rowFilter().map(renderer::render).orElse(null));
        if (detail == ReasonDetail.NONE) {
            // A decision has a reason for every policy (a thousand or more); asked for none, do not walk them.
            return document;
        }
        List<Map<String, Object>> reasons = new ArrayList<>();
        for (Reason reason : decision.reasons()) {
            if (detail == ReasonDetail.IN_FORCE && reason.outcome() == Reason.Outcome.NOT_IN_FORCE) {
                continue;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("policyId", reason.policyId());
            entry.put("policyName", reason.policyName());
            entry.put("kind", reason.policyKind());
            entry.put("outcome", reason.outcome().name());
            entry.put("explanation", reason.explanation());
            reasons.add(entry);
        }
        document.put("reasons", reasons);
        return document;
    }
}
