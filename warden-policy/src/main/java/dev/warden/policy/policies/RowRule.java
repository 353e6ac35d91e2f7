package dev.warden.policy.policies;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expression.Comparison;
import dev.warden.policy.expr.Expression.ComparisonOperator;
import dev.warden.policy.expr.Expressions;
import dev.warden.policy.expr.PersonNode;
import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.Checks;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.SqlType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;

import static java.util.Objects.requireNonNull;

/**
 * Which rows a row-level policy lets a person see. {@link #filter} states it for one data source, with the
 * person's values as {@link PersonNode}s; when the data source lacks what the rule needs, the rule fails
 * closed: no rows, and {@link Filter#problem} says why.
 */
public sealed interface RowRule
        permits RowRule.MatchAttribute, RowRule.MatchGroups, RowRule.Where, RowRule.RecentEvents, RowRule.Minimize, RowRule.OnlyForPurposes
{
    Filter filter(DataSource dataSource);

    String describe();

    /** A filter expression, or FALSE with the reason the rule could not be applied. */
    record Filter(Expression expression, Optional<String> problem)
    {
        public Filter
        {
            requireNonNull(expression, "expression is null");
            requireNonNull(problem, "problem is null");
        }

        static Filter of(Expression expression)
        {
            return new Filter(expression, Optional.empty());
        }

        static Filter failClosed(String problem)
        {
            return new Filter(Expressions.FALSE, Optional.of(problem + "; no rows are shown"));
        }
    }

    /** Rows whose column holds one of the person's values of an attribute. */
    record MatchAttribute(ColumnChoice column, String attribute)
            implements RowRule
    {
        public MatchAttribute
        {
            requireNonNull(column, "column is null");
            Checks.name("attribute", attribute);
        }

        @Override
        public Filter filter(DataSource dataSource)
        {
            return column.resolve(dataSource)
                    .map(resolved -> Filter.of(new PersonNode.SetContains(new PersonNode.Attribute(attribute), new Expression.Column(resolved.name()))))
                    .orElseGet(() -> Filter.failClosed("the data source has no " + column.describe()));
        }

        @Override
        public String describe()
        {
            return "only rows where " + column.describe() + " is one of the user's values of attribute '" + attribute + "'";
        }
    }

    /** Rows whose column holds the name of one of the person's groups. */
    record MatchGroups(ColumnChoice column)
            implements RowRule
    {
        public MatchGroups
        {
            requireNonNull(column, "column is null");
        }

        @Override
        public Filter filter(DataSource dataSource)
        {
            return column.resolve(dataSource)
                    .map(resolved -> Filter.of(new PersonNode.SetContains(new PersonNode.Groups(), new Expression.Column(resolved.name()))))
                    .orElseGet(() -> Filter.failClosed("the data source has no " + column.describe()));
        }

        @Override
        public String describe()
        {
            return "only rows where " + column.describe() + " is one of the user's groups";
        }
    }

    /** Rows for which a governor's SQL condition holds. */
    record Where(CustomSql sql)
            implements RowRule
    {
        public Where
        {
            requireNonNull(sql, "sql is null");
        }

        @Override
        public Filter filter(DataSource dataSource)
        {
            List<String> missing = sql.missingColumns(dataSource);
            if (!missing.isEmpty()) {
                return Filter.failClosed("the condition names column(s) " + missing + " that the data source lacks");
            }
            return Filter.of(sql.condition());
        }

        @Override
        public String describe()
        {
            return "only rows where " + sql.text();
        }
    }

    /** Rows whose event time lies within the last {@code amount} units. */
    record RecentEvents(int amount, TimeUnit unit)
            implements RowRule
    {
        public RecentEvents
        {
            Checks.positive("amount", amount);
            requireNonNull(unit, "unit is null");
        }

        @Override
        public Filter filter(DataSource dataSource)
        {
            if (dataSource.eventTimeColumn().isEmpty()) {
                return Filter.failClosed("the data source has no event-time column");
            }
            Expression eventTime = new Expression.Column(dataSource.eventTimeColumn().get());
            return Filter.of(new Comparison(ComparisonOperator.GREATER_THAN_OR_EQUAL, eventTime, new Expression.TimeAgo(amount, unit)));
        }

        @Override
        public String describe()
        {
            return "only rows whose event time is within the last " + amount + " " + unit.sqlName() + (amount == 1 ? "" : "s");
        }
    }

    /**
     * A stable {@code percent}% of rows, chosen by a salted hash of the key columns, so that the same rows stay in
     * across queries, users and engines. Without key columns, every column whose text is the same on every engine
     * is a key (see {@link SqlType.Family#hasPortableText}).
     */
    record Minimize(int percent, List<String> keyColumns)
            implements RowRule
    {
        public Minimize
        {
            if (percent < 1 || percent > 99) {
                throw new InvalidModelException("percent", "must be between 1 and 99, was " + percent);
            }
            keyColumns = List.copyOf(Checks.required("keyColumns", keyColumns));
            for (int i = 0; i < keyColumns.size(); i++) {
                Checks.name("keyColumns[" + i + "]", keyColumns.get(i));
            }
        }

        @Override
        public Filter filter(DataSource dataSource)
        {
            List<Expression> keys = new ArrayList<>();
            if (keyColumns.isEmpty()) {
                for (Column column : dataSource.columns()) {
                    if (column.type().family().hasPortableText()) {
                        keys.add(new Expression.Column(column.name()));
                    }
                }
            }
            else {
                for (String name : keyColumns) {
                    if (dataSource.column(name).isEmpty()) {
                        return Filter.failClosed("the data source has no key column '" + name + "'");
                    }
                    keys.add(new Expression.Column(name));
                }
            }
            if (keys.isEmpty()) {
                return Filter.failClosed("the data source has no column that can be hashed");
            }
            Expression bucket = new Expression.HashBucket(keys, dataSource.maskingSalt(), 100);
            return Filter.of(new Comparison(ComparisonOperator.LESS_THAN, bucket, Expressions.number(percent)));
        }

        @Override
        public String describe()
        {
            return "a stable " + percent + "% of rows" + (keyColumns.isEmpty() ? "" : " by " + keyColumns);
        }
    }

    /** All rows for people acting under one of the purposes, none for anyone else. */
    record OnlyForPurposes(SortedSet<String> purposes)
            implements RowRule
    {
        public OnlyForPurposes
        {
            purposes = Checks.names("purposes", purposes);
            if (purposes.isEmpty()) {
                throw new InvalidModelException("purposes", "name at least one purpose");
            }
        }

        @Override
        public Filter filter(DataSource dataSource)
        {
            List<Expression> any = purposes.stream()
                    .<Expression>map(purpose -> new PersonNode.SetContains(new PersonNode.Purposes(), Expressions.string(purpose)))
                    .toList();
            return Filter.of(Expressions.or(any));
        }

        @Override
        public String describe()
        {
            return "rows only for users acting under purpose " + String.join(" or ", purposes);
        }
    }
}
