package dev.warden.policy.expr;

import dev.warden.policy.model.Checks;
import dev.warden.policy.model.SqlType;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A mask or row filter as a tree, never as concatenated SQL. A {@link dev.warden.policy.sql.SqlRenderer}
 * turns it into one engine's SQL; values become escaped literals and identifiers are always quoted there.
 *
 * <p>The nodes under {@link PersonNode} depend on who is asking. A renderer either substitutes one user's
 * values as literals, or turns them into lookups of the current database user in an entitlements table.
 */
public sealed interface Expression
        permits Expression.Column, Expression.Literal, Expression.Cast, Expression.Comparison, Expression.Logical,
        Expression.Not, Expression.IsNull, Expression.InList, Expression.Like, Expression.Between,
        Expression.Arithmetic, Expression.Negate, Expression.Call, Expression.Case, Expression.Sha256Hex,
        Expression.HashBucket, Expression.TimeAgo, Expression.DateTrunc, PersonNode
{
    // ---- references and literals ----

    /** A column of the data source being queried, by its exact name. */
    record Column(String name)
            implements Expression
    {
        public Column
        {
            Checks.name("column", name);
        }
    }

    sealed interface Literal
            extends Expression
            permits StringLiteral, LongLiteral, DecimalLiteral, DoubleLiteral, BooleanLiteral, NullLiteral, UntypedNull, DateLiteral, TimestampLiteral {}

    record StringLiteral(String value)
            implements Literal
    {
        public StringLiteral
        {
            Checks.value("string literal", value);
        }
    }

    record LongLiteral(long value)
            implements Literal {}

    record DecimalLiteral(BigDecimal value)
            implements Literal
    {
        public DecimalLiteral
        {
            requireNonNull(value, "value is null");
        }
    }

    record DoubleLiteral(double value)
            implements Literal
    {
        public DoubleLiteral
        {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("double literal must be finite: " + value);
            }
        }
    }

    record BooleanLiteral(boolean value)
            implements Literal {}

    /** NULL, typed so that every engine can tell what it is. */
    record NullLiteral(SqlType type)
            implements Literal
    {
        public NullLiteral
        {
            requireNonNull(type, "type is null");
        }
    }

    /** NULL as a governor wrote it in a condition; the engine infers its type from where it stands. */
    record UntypedNull()
            implements Literal {}

    record DateLiteral(LocalDate value)
            implements Literal
    {
        public DateLiteral
        {
            requireNonNull(value, "value is null");
        }
    }

    record TimestampLiteral(LocalDateTime value)
            implements Literal
    {
        public TimestampLiteral
        {
            requireNonNull(value, "value is null");
        }
    }

    // ---- operators ----

    record Cast(Expression value, SqlType type)
            implements Expression
    {
        public Cast
        {
            requireNonNull(value, "value is null");
            requireNonNull(type, "type is null");
        }
    }

    enum ComparisonOperator
    {
        EQUAL("="), NOT_EQUAL("<>"), LESS_THAN("<"), LESS_THAN_OR_EQUAL("<="), GREATER_THAN(">"), GREATER_THAN_OR_EQUAL(">="),
        IS_DISTINCT_FROM("IS DISTINCT FROM");

        private final String sql;

        ComparisonOperator(String sql)
        {
            this.sql = sql;
        }

        public String sql()
        {
            return sql;
        }
    }

    record Comparison(ComparisonOperator operator, Expression left, Expression right)
            implements Expression
    {
        public Comparison
        {
            requireNonNull(operator, "operator is null");
            requireNonNull(left, "left is null");
            requireNonNull(right, "right is null");
        }
    }

    enum LogicalOperator
    {
        AND, OR
    }

    record Logical(LogicalOperator operator, List<Expression> terms)
            implements Expression
    {
        public Logical
        {
            requireNonNull(operator, "operator is null");
            terms = List.copyOf(terms);
            if (terms.size() < 2) {
                throw new IllegalArgumentException("a logical expression needs at least two terms");
            }
        }
    }

    record Not(Expression value)
            implements Expression
    {
        public Not
        {
            requireNonNull(value, "value is null");
        }
    }

    record IsNull(Expression value, boolean negated)
            implements Expression
    {
        public IsNull
        {
            requireNonNull(value, "value is null");
        }
    }

    record InList(Expression value, List<Expression> list, boolean negated)
            implements Expression
    {
        public InList
        {
            requireNonNull(value, "value is null");
            list = List.copyOf(list);
            if (list.isEmpty()) {
                throw new IllegalArgumentException("IN needs at least one value");
            }
        }
    }

    record Like(Expression value, Expression pattern, Optional<Expression> escape, boolean negated)
            implements Expression
    {
        public Like
        {
            requireNonNull(value, "value is null");
            requireNonNull(pattern, "pattern is null");
            requireNonNull(escape, "escape is null");
        }
    }

    record Between(Expression value, Expression low, Expression high, boolean negated)
            implements Expression
    {
        public Between
        {
            requireNonNull(value, "value is null");
            requireNonNull(low, "low is null");
            requireNonNull(high, "high is null");
        }
    }

    enum ArithmeticOperator
    {
        ADD("+"), SUBTRACT("-"), MULTIPLY("*"), DIVIDE("/"), MODULUS("%");

        private final String sql;

        ArithmeticOperator(String sql)
        {
            this.sql = sql;
        }

        public String sql()
        {
            return sql;
        }
    }

    record Arithmetic(ArithmeticOperator operator, Expression left, Expression right)
            implements Expression
    {
        public Arithmetic
        {
            requireNonNull(operator, "operator is null");
            requireNonNull(left, "left is null");
            requireNonNull(right, "right is null");
        }
    }

    record Negate(Expression value)
            implements Expression
    {
        public Negate
        {
            requireNonNull(value, "value is null");
        }
    }

    /** A call of a function that every dialect has, perhaps under another name; see {@link SqlFunction}. */
    record Call(SqlFunction function, List<Expression> arguments)
            implements Expression
    {
        public Call
        {
            requireNonNull(function, "function is null");
            arguments = List.copyOf(arguments);
            if (arguments.size() < function.minArguments() || arguments.size() > function.maxArguments()) {
                throw new IllegalArgumentException("%s takes %s arguments, not %d".formatted(function.sqlName(), function.arity(), arguments.size()));
            }
        }
    }

    record WhenClause(Expression condition, Expression result)
    {
        public WhenClause
        {
            requireNonNull(condition, "condition is null");
            requireNonNull(result, "result is null");
        }
    }

    /** {@code CASE WHEN ... THEN ... ELSE ... END}. */
    record Case(List<WhenClause> whenClauses, Optional<Expression> otherwise)
            implements Expression
    {
        public Case
        {
            whenClauses = List.copyOf(whenClauses);
            if (whenClauses.isEmpty()) {
                throw new IllegalArgumentException("CASE needs at least one WHEN");
            }
            requireNonNull(otherwise, "otherwise is null");
        }
    }

    // ---- masking and filtering building blocks whose SQL differs by dialect ----

    /**
     * Lower-case hex SHA-256 of {@code salt || text}, where {@code text} is the value rendered as varchar.
     * The same value and salt give the same hash in every dialect.
     */
    record Sha256Hex(Expression text, String salt)
            implements Expression
    {
        public Sha256Hex
        {
            requireNonNull(text, "text is null");
            Checks.value("salt", salt);
        }
    }

    /**
     * A stable number in {@code [0, buckets)} derived from SHA-256 of the salt and the key values, each cast to
     * varchar and joined with a separator. Used to keep a stable N% of rows.
     */
    record HashBucket(List<Expression> keys, String salt, int buckets)
            implements Expression
    {
        public HashBucket
        {
            keys = List.copyOf(keys);
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("a hash bucket needs at least one key");
            }
            Checks.value("salt", salt);
            Checks.positive("buckets", buckets);
        }
    }

    /** The instant {@code amount} units before now: {@code current_timestamp - INTERVAL ...}. */
    record TimeAgo(int amount, TimeUnit unit)
            implements Expression
    {
        public TimeAgo
        {
            Checks.positive("amount", amount);
            requireNonNull(unit, "unit is null");
        }
    }

    /** Truncates a date or timestamp to the start of its {@code unit}; the result keeps the value's type. */
    record DateTrunc(TimeUnit unit, Expression value, SqlType valueType)
            implements Expression
    {
        public DateTrunc
        {
            requireNonNull(unit, "unit is null");
            requireNonNull(value, "value is null");
            requireNonNull(valueType, "valueType is null");
        }
    }
}
