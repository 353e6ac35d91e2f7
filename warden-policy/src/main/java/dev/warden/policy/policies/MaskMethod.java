package dev.warden.policy.policies;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expression.Case;
import dev.warden.policy.expr.Expression.Comparison;
import dev.warden.policy.expr.Expression.ComparisonOperator;
import dev.warden.policy.expr.Expression.WhenClause;
import dev.warden.policy.expr.Expressions;
import dev.warden.policy.expr.SqlFunction;
import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.Checks;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.SqlType;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static dev.warden.policy.expr.Expressions.call;
import static dev.warden.policy.expr.Expressions.number;

/**
 * How a masking policy hides a column's values. Every method yields the column's own type (the engine casts
 * the result to it); {@link #refusalFor} says why a method cannot apply to a type, so that a policy naming
 * such a column is refused when it is saved.
 */
public sealed interface MaskMethod
        permits MaskMethod.Nullify, MaskMethod.Constant, MaskMethod.KeyedHash, MaskMethod.RegexReplace,
        MaskMethod.RoundToBucket, MaskMethod.TruncateToUnit, MaskMethod.RevealFirst, MaskMethod.RevealLast
{
    /** Empty when the method can mask a column of this type; otherwise why not. */
    Optional<String> refusalFor(SqlType type);

    /**
     * The masked value of {@code column}. Call only when {@link #refusalFor} is empty.
     *
     * @param salt the data source's masking salt
     */
    Expression mask(Column column, String salt);

    String describe();

    /** Replaces every value with NULL. Applies to every type. */
    record Nullify()
            implements MaskMethod
    {
        @Override
        public Optional<String> refusalFor(SqlType type)
        {
            return Optional.empty();
        }

        @Override
        public Expression mask(Column column, String salt)
        {
            return new Expression.NullLiteral(column.type());
        }

        @Override
        public String describe()
        {
            return "NULL";
        }
    }

    /** Replaces every value with one constant, which must be a valid value of the column's type. */
    record Constant(String value)
            implements MaskMethod
    {
        public Constant
        {
            Checks.value("constant", value);
        }

        @Override
        public Optional<String> refusalFor(SqlType type)
        {
            try {
                literalFor(type);
                return Optional.empty();
            }
            catch (IllegalArgumentException | DateTimeParseException e) {
                return Optional.of("the constant '" + value + "' is not a " + type + " value");
            }
        }

        @Override
        public Expression mask(Column column, String salt)
        {
            return literalFor(column.type());
        }

        private Expression literalFor(SqlType type)
        {
            return switch (type.family()) {
                case VARCHAR, CHAR -> {
                    if (type.length().isPresent() && value.length() > type.length().getAsInt()) {
                        throw new IllegalArgumentException("too long");
                    }
                    yield Expressions.string(value);
                }
                case TINYINT, SMALLINT, INTEGER, BIGINT -> new Expression.LongLiteral(Long.parseLong(value.trim()));
                case DECIMAL, REAL, DOUBLE -> new Expression.DecimalLiteral(new BigDecimal(value.trim()));
                case BOOLEAN -> switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "true" -> Expressions.TRUE;
                    case "false" -> Expressions.FALSE;
                    default -> throw new IllegalArgumentException("not a boolean");
                };
                case DATE -> new Expression.DateLiteral(LocalDate.parse(value.trim()));
                case TIMESTAMP, TIMESTAMP_WITH_TIME_ZONE -> new Expression.TimestampLiteral(LocalDateTime.parse(value.trim().replace(' ', 'T')));
                case TIME, VARBINARY, OTHER -> throw new IllegalArgumentException("no constants of this type");
            };
        }

        @Override
        public String describe()
        {
            return "the constant '" + value + "'";
        }
    }

    /**
     * Replaces a text value with the hex SHA-256 of the data source's salt and the value: equal values still
     * join and group, but cannot be read back or matched against another data source's hashes.
     */
    record KeyedHash()
            implements MaskMethod
    {
        @Override
        public Optional<String> refusalFor(SqlType type)
        {
            return requireString(type, "a keyed hash");
        }

        @Override
        public Expression mask(Column column, String salt)
        {
            return new Expression.Sha256Hex(new Expression.Column(column.name()), salt);
        }

        @Override
        public String describe()
        {
            return "a keyed SHA-256 hash";
        }
    }

    /** Replaces every match of a regular expression in a text value; {@code $1} in the replacement refers to a group. */
    record RegexReplace(String regex, String replacement)
            implements MaskMethod
    {
        /**
         * Syntax that Java and Trino accept but PostgreSQL does not: named and atomic groups, possessive
         * quantifiers, quoting, Unicode properties and a few escapes.
         */
        private static final Pattern NON_PORTABLE_REGEX = Pattern.compile("\\(\\?<[A-Za-z]|\\(\\?>|(?<!\\\\)[*+?}]\\+|\\\\[QEGpPhHRXkK]");

        public RegexReplace
        {
            Checks.value("regex", regex);
            Checks.value("replacement", replacement);
            try {
                Pattern.compile(regex);
            }
            catch (PatternSyntaxException e) {
                throw new InvalidModelException("regex", "'" + regex + "' is not a valid regular expression: " + e.getDescription());
            }
            Matcher nonPortable = NON_PORTABLE_REGEX.matcher(regex);
            if (nonPortable.find()) {
                throw new InvalidModelException("regex", "'%s' uses '%s', which not every engine Warden enforces on supports".formatted(regex, nonPortable.group()));
            }
        }

        @Override
        public Optional<String> refusalFor(SqlType type)
        {
            return requireString(type, "a regular-expression replacement");
        }

        @Override
        public Expression mask(Column column, String salt)
        {
            return call(SqlFunction.REGEXP_REPLACE, asVarchar(column), Expressions.string(regex), Expressions.string(replacement));
        }

        @Override
        public String describe()
        {
            return "regex replace /" + regex + "/ with '" + replacement + "'";
        }
    }

    /** Rounds a number down to a multiple of {@code bucketSize}: with 10, 17 becomes 10 and -3 becomes -10. */
    record RoundToBucket(BigDecimal bucketSize)
            implements MaskMethod
    {
        public RoundToBucket
        {
            Checks.required("bucketSize", bucketSize);
            if (bucketSize.signum() <= 0) {
                throw new InvalidModelException("bucketSize", "must be positive, was " + bucketSize.toPlainString());
            }
        }

        @Override
        public Optional<String> refusalFor(SqlType type)
        {
            return type.family().isNumeric() ? Optional.empty()
                    : Optional.of("rounding to a bucket applies to numbers, and the column is " + type);
        }

        @Override
        public Expression mask(Column column, String salt)
        {
            // Computed in double so that every dialect floors the same way; integer division truncates toward zero.
            Expression asDouble = new Expression.Cast(new Expression.Column(column.name()), SqlType.DOUBLE);
            Expression bucket = new Expression.DoubleLiteral(bucketSize.doubleValue());
            return new Expression.Arithmetic(Expression.ArithmeticOperator.MULTIPLY,
                    call(SqlFunction.FLOOR, new Expression.Arithmetic(Expression.ArithmeticOperator.DIVIDE, asDouble, bucket)),
                    bucket);
        }

        @Override
        public String describe()
        {
            return "rounded down to a multiple of " + bucketSize.toPlainString();
        }
    }

    /** Truncates a date or timestamp to the start of its unit (a DATE only to a day or coarser). */
    record TruncateToUnit(TimeUnit unit)
            implements MaskMethod
    {
        public TruncateToUnit
        {
            Checks.required("unit", unit);
        }

        @Override
        public Optional<String> refusalFor(SqlType type)
        {
            return switch (type.family()) {
                case DATE -> unit.isTimeOfDay() ? Optional.of("a date cannot be truncated to a " + unit.sqlName()) : Optional.empty();
                case TIMESTAMP, TIMESTAMP_WITH_TIME_ZONE -> Optional.empty();
                default -> Optional.of("truncating to a " + unit.sqlName() + " applies to dates and timestamps, and the column is " + type);
            };
        }

        @Override
        public Expression mask(Column column, String salt)
        {
            return new Expression.DateTrunc(unit, new Expression.Column(column.name()), column.type());
        }

        @Override
        public String describe()
        {
            return "truncated to the " + unit.sqlName();
        }
    }

    /** Shows the first {@code count} characters and replaces the rest with '*'; values no longer than that are starred entirely. */
    record RevealFirst(int count)
            implements MaskMethod
    {
        public RevealFirst
        {
            Checks.positive("count", count);
        }

        @Override
        public Optional<String> refusalFor(SqlType type)
        {
            return requireString(type, "showing the first characters");
        }

        @Override
        public Expression mask(Column column, String salt)
        {
            Expression value = asVarchar(column);
            Expression length = call(SqlFunction.LENGTH, value);
            Expression revealed = call(SqlFunction.RPAD, call(SqlFunction.SUBSTR, value, number(1), number(count)), length, Expressions.string("*"));
            return revealOnlyLongerThan(count, value, revealed);
        }

        @Override
        public String describe()
        {
            return "only the first " + count + " characters shown";
        }
    }

    /** Shows the last {@code count} characters and replaces the rest with '*'; values no longer than that are starred entirely. */
    record RevealLast(int count)
            implements MaskMethod
    {
        public RevealLast
        {
            Checks.positive("count", count);
        }

        @Override
        public Optional<String> refusalFor(SqlType type)
        {
            return requireString(type, "showing the last characters");
        }

        @Override
        public Expression mask(Column column, String salt)
        {
            Expression value = asVarchar(column);
            Expression length = call(SqlFunction.LENGTH, value);
            Expression start = new Expression.Arithmetic(Expression.ArithmeticOperator.SUBTRACT, length, number(count - 1L));
            Expression revealed = call(SqlFunction.LPAD, call(SqlFunction.SUBSTR, value, start), length, Expressions.string("*"));
            return revealOnlyLongerThan(count, value, revealed);
        }

        @Override
        public String describe()
        {
            return "only the last " + count + " characters shown";
        }
    }

    private static Optional<String> requireString(SqlType type, String method)
    {
        return type.family().isString() ? Optional.empty() : Optional.of(method + " applies to text, and the column is " + type);
    }

    private static Expression asVarchar(Column column)
    {
        Expression reference = new Expression.Column(column.name());
        return column.type().family() == SqlType.Family.VARCHAR ? reference : new Expression.Cast(reference, SqlType.VARCHAR);
    }

    private static Expression revealOnlyLongerThan(int count, Expression value, Expression revealed)
    {
        Expression length = call(SqlFunction.LENGTH, value);
        Expression allStars = call(SqlFunction.RPAD, Expressions.string(""), length, Expressions.string("*"));
        return new Case(
                List.of(new WhenClause(new Comparison(ComparisonOperator.GREATER_THAN, length, number(count)), revealed)),
                Optional.of(allStars));
    }
}
