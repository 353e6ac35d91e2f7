package dev.warden.policy.policies;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expressions;
import dev.warden.policy.model.Checks;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.sql.CustomSqlParser;

import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A governor's SQL condition, kept both as written (for display and round trips) and as the parsed tree that
 * every dialect renders. It is parsed once, when the policy is saved.
 */
public record CustomSql(String text, Expression condition)
{
    public CustomSql
    {
        Checks.value("sql", text);
        requireNonNull(condition, "condition is null");
    }

    /** Parses a boolean SQL condition; an {@link dev.warden.policy.model.InvalidModelException} on field {@code sql} says what is wrong. */
    public static CustomSql parse(String text)
    {
        return new CustomSql(text, CustomSqlParser.parseCondition(text));
    }

    public Set<String> columns()
    {
        return Expressions.columns(condition);
    }

    /** The columns this condition names that the data source lacks, in order of appearance. */
    public List<String> missingColumns(DataSource dataSource)
    {
        return columns().stream().filter(name -> dataSource.column(name).isEmpty()).toList();
    }
}
