package dev.warden.bundle.expectations;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.PersonNode;
import dev.warden.policy.expr.SqlFunction;
import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.SqlType;
import dev.warden.policy.model.UserContext;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Evaluates Warden's expression tree against one row in Java, with SQL's three-valued logic: {@code null} is
 * NULL (unknown), and a row passes a filter only when it evaluates to TRUE. The person's values come from one
 * {@link UserContext}; {@code current_timestamp} is {@code now}. Used to check expectations on rows without a
 * database; a node it cannot evaluate faithfully is refused with {@link UnsupportedOperationException}.
 */
public final class ExpressionEvaluator
{
    private final UserContext user;
    private final LocalDateTime now;

    public ExpressionEvaluator(UserContext user, LocalDateTime now)
    {
        this.user = requireNonNull(user, "user is null");
        this.now = requireNonNull(now, "now is null");
    }

    /** True only when the condition is TRUE for the row; FALSE and NULL both leave the row out. */
    public boolean passes(Expression condition, Map<String, Object> row)
    {
        Object value = evaluate(condition, row);
        if (value != null && !(value instanceof Boolean)) {
            throw new IllegalArgumentException("the filter yields " + SqlValues.typeName(value) + ", not a boolean");
        }
        return Boolean.TRUE.equals(value);
    }

    /** The value of an expression for a row: column name to value ({@link SqlValues}); a column missing from the map is NULL. */
    public Object evaluate(Expression expression, Map<String, Object> row)
    {
        return switch (expression) {
            case Expression.Column column -> row.get(column.name());
            case Expression.StringLiteral literal -> literal.value();
            case Expression.LongLiteral literal -> literal.value();
            case Expression.DecimalLiteral literal -> literal.value();
            case Expression.DoubleLiteral literal -> literal.value();
            case Expression.BooleanLiteral literal -> literal.value();
            case Expression.NullLiteral _, Expression.UntypedNull _ -> null;
            case Expression.DateLiteral literal -> literal.value();
            case Expression.TimestampLiteral literal -> literal.value();
            case Expression.Cast cast -> cast(evaluate(cast.value(), row), cast.type());
            case Expression.Comparison comparison -> compare(comparison.operator(), evaluate(comparison.left(), row), evaluate(comparison.right(), row));
            case Expression.Logical logical -> logical(logical, row);
            case Expression.Not not -> {
                Boolean value = bool(evaluate(not.value(), row));
                yield value == null ? null : !value;
            }
            case Expression.IsNull isNull -> (evaluate(isNull.value(), row) == null) != isNull.negated();
            case Expression.InList in -> negateIf(in.negated(), in(evaluate(in.value(), row), in.list(), row));
            case Expression.Like like -> negateIf(like.negated(), like(like, row));
            case Expression.Between between -> {
                Object value = evaluate(between.value(), row);
                Boolean low = compare(Expression.ComparisonOperator.GREATER_THAN_OR_EQUAL, value, evaluate(between.low(), row));
                Boolean high = compare(Expression.ComparisonOperator.LESS_THAN_OR_EQUAL, value, evaluate(between.high(), row));
                yield negateIf(between.negated(), and(low, high));
            }
            case Expression.Arithmetic arithmetic -> arithmetic(arithmetic.operator(), evaluate(arithmetic.left(), row), evaluate(arithmetic.right(), row));
            case Expression.Negate negate -> {
                Object value = evaluate(negate.value(), row);
                yield switch (value) {
                    case null -> null;
                    case Long number -> Math.negateExact(number);
                    case BigDecimal number -> number.negate();
                    case Double number -> -number;
                    default -> throw new IllegalArgumentException("cannot negate " + SqlValues.typeName(value));
                };
            }
            case Expression.Call call -> call(call.function(), call.arguments(), row);
            case Expression.Case caseExpression -> {
                for (Expression.WhenClause clause : caseExpression.whenClauses()) {
                    if (Boolean.TRUE.equals(bool(evaluate(clause.condition(), row)))) {
                        yield evaluate(clause.result(), row);
                    }
                }
                yield caseExpression.otherwise().map(otherwise -> evaluate(otherwise, row)).orElse(null);
            }
            case Expression.Sha256Hex hash -> {
                Object value = evaluate(hash.text(), row);
                yield value == null ? null : HexFormat.of().formatHex(sha256(hash.salt() + text(value)));
            }
            case Expression.HashBucket bucket -> hashBucket(bucket, row);
            case Expression.TimeAgo timeAgo -> switch (timeAgo.unit()) {
                case MINUTE -> now.minusMinutes(timeAgo.amount());
                case HOUR -> now.minusHours(timeAgo.amount());
                case DAY -> now.minusDays(timeAgo.amount());
                case WEEK -> now.minusWeeks(timeAgo.amount());
                case MONTH -> now.minusMonths(timeAgo.amount());
                case QUARTER -> now.minusMonths(3L * timeAgo.amount());
                case YEAR -> now.minusYears(timeAgo.amount());
            };
            case Expression.DateTrunc trunc -> truncate(evaluate(trunc.value(), row), trunc.unit());
            case PersonNode.UserName _ -> user.name();
            case PersonNode.ProjectName _ -> user.currentProject().orElse(null);
            case PersonNode.SetContains contains -> {
                Set<String> values = contains.set().valuesOf(user);
                if (values.isEmpty()) {
                    yield false;
                }
                Object value = evaluate(contains.value(), row);
                yield value == null ? null : values.contains(text(value));
            }
        };
    }

    private Object logical(Expression.Logical logical, Map<String, Object> row)
    {
        boolean isAnd = logical.operator() == Expression.LogicalOperator.AND;
        boolean unknown = false;
        for (Expression term : logical.terms()) {
            Boolean value = bool(evaluate(term, row));
            if (value == null) {
                unknown = true;
            }
            else if (value != isAnd) {
                // FALSE decides an AND, TRUE decides an OR, whatever the other terms are.
                return value;
            }
        }
        return unknown ? null : isAnd;
    }

    private static Boolean and(Boolean left, Boolean right)
    {
        if (Boolean.FALSE.equals(left) || Boolean.FALSE.equals(right)) {
            return false;
        }
        return left == null || right == null ? null : true;
    }

    private static Boolean negateIf(boolean negated, Boolean value)
    {
        if (value == null || !negated) {
            return value;
        }
        return !value;
    }

    private Boolean in(Object value, List<Expression> list, Map<String, Object> row)
    {
        if (value == null) {
            return null;
        }
        boolean unknown = false;
        for (Expression item : list) {
            Boolean equal = compare(Expression.ComparisonOperator.EQUAL, value, evaluate(item, row));
            if (equal == null) {
                unknown = true;
            }
            else if (equal) {
                return true;
            }
        }
        return unknown ? null : false;
    }

    private Boolean like(Expression.Like like, Map<String, Object> row)
    {
        Object value = evaluate(like.value(), row);
        Object pattern = evaluate(like.pattern(), row);
        Object escape = like.escape().map(expression -> evaluate(expression, row)).orElse("");
        if (value == null || pattern == null || escape == null) {
            return null;
        }
        String escapeText = text(escape);
        if (escapeText.length() > 1) {
            throw new IllegalArgumentException("the LIKE escape must be a single character");
        }
        StringBuilder regex = new StringBuilder();
        String patternText = text(pattern);
        for (int i = 0; i < patternText.length(); i++) {
            char c = patternText.charAt(i);
            if (!escapeText.isEmpty() && c == escapeText.charAt(0) && i + 1 < patternText.length()) {
                regex.append(Pattern.quote(String.valueOf(patternText.charAt(++i))));
            }
            else if (c == '%') {
                regex.append(".*");
            }
            else if (c == '_') {
                regex.append('.');
            }
            else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(text(value)).matches();
    }

    /** SQL comparison; NULL on either side gives NULL, except for IS DISTINCT FROM. */
    private static Boolean compare(Expression.ComparisonOperator operator, Object left, Object right)
    {
        if (operator == Expression.ComparisonOperator.IS_DISTINCT_FROM) {
            if (left == null || right == null) {
                return (left == null) != (right == null);
            }
            return order(left, right) != 0;
        }
        if (left == null || right == null) {
            return null;
        }
        int order = order(left, right);
        return switch (operator) {
            case EQUAL -> order == 0;
            case NOT_EQUAL -> order != 0;
            case LESS_THAN -> order < 0;
            case LESS_THAN_OR_EQUAL -> order <= 0;
            case GREATER_THAN -> order > 0;
            case GREATER_THAN_OR_EQUAL -> order >= 0;
            case IS_DISTINCT_FROM -> throw new IllegalStateException("handled above");
        };
    }

    private static int order(Object left, Object right)
    {
        if (left instanceof Number a && right instanceof Number b) {
            return decimal(a).compareTo(decimal(b));
        }
        if (left instanceof String a && right instanceof String b) {
            return a.compareTo(b);
        }
        if (left instanceof Boolean a && right instanceof Boolean b) {
            return a.compareTo(b);
        }
        if (isTemporal(left) && isTemporal(right)) {
            return timestamp(left).compareTo(timestamp(right));
        }
        // A date compared with text, as in orderdate >= '2024-01-01': the text is read as a date, as Trino coerces it.
        if (isTemporal(left) && right instanceof String text) {
            return timestamp(left).compareTo(timestamp(parseTemporal(text)));
        }
        if (left instanceof String text && isTemporal(right)) {
            return timestamp(parseTemporal(text)).compareTo(timestamp(right));
        }
        throw new IllegalArgumentException("cannot compare " + SqlValues.typeName(left) + " with " + SqlValues.typeName(right));
    }

    private static boolean isTemporal(Object value)
    {
        return value instanceof LocalDate || value instanceof LocalDateTime;
    }

    private static Object parseTemporal(String text)
    {
        return text.trim().length() == 10 ? LocalDate.parse(text.trim()) : LocalDateTime.parse(text.trim().replace(' ', 'T'));
    }

    private static LocalDateTime timestamp(Object value)
    {
        return value instanceof LocalDate date ? date.atStartOfDay() : (LocalDateTime) value;
    }

    private static BigDecimal decimal(Number number)
    {
        return switch (number) {
            case BigDecimal decimal -> decimal;
            case Double value -> BigDecimal.valueOf(value);
            default -> BigDecimal.valueOf(number.longValue());
        };
    }

    private static Object arithmetic(Expression.ArithmeticOperator operator, Object left, Object right)
    {
        if (left == null || right == null) {
            return null;
        }
        if (!(left instanceof Number a) || !(right instanceof Number b)) {
            throw new IllegalArgumentException("cannot apply " + operator.sql() + " to " + SqlValues.typeName(left) + " and " + SqlValues.typeName(right));
        }
        if (a instanceof Double || b instanceof Double) {
            double x = a.doubleValue();
            double y = b.doubleValue();
            return switch (operator) {
                case ADD -> x + y;
                case SUBTRACT -> x - y;
                case MULTIPLY -> x * y;
                case DIVIDE -> x / y;
                case MODULUS -> x % y;
            };
        }
        if (a instanceof Long x && b instanceof Long y) {
            if ((operator == Expression.ArithmeticOperator.DIVIDE || operator == Expression.ArithmeticOperator.MODULUS) && y == 0) {
                throw new ArithmeticException("division by zero");
            }
            return switch (operator) {
                case ADD -> Math.addExact(x, y);
                case SUBTRACT -> Math.subtractExact(x, y);
                case MULTIPLY -> Math.multiplyExact(x, y);
                // SQL integer division truncates toward zero, as Java's does.
                case DIVIDE -> x / y;
                case MODULUS -> x % y;
            };
        }
        BigDecimal x = decimal(a);
        BigDecimal y = decimal(b);
        if ((operator == Expression.ArithmeticOperator.DIVIDE || operator == Expression.ArithmeticOperator.MODULUS) && y.signum() == 0) {
            throw new ArithmeticException("division by zero");
        }
        return switch (operator) {
            case ADD -> x.add(y);
            case SUBTRACT -> x.subtract(y);
            case MULTIPLY -> x.multiply(y);
            case DIVIDE -> x.divide(y, Math.max(x.scale(), 6), RoundingMode.HALF_UP);
            case MODULUS -> x.remainder(y);
        };
    }

    private static Object cast(Object value, SqlType type)
    {
        if (value == null) {
            return null;
        }
        return switch (type.family()) {
            case VARCHAR, CHAR -> {
                String text = text(value);
                yield type.length().isPresent() && text.length() > type.length().getAsInt() ? text.substring(0, type.length().getAsInt()) : text;
            }
            case TINYINT, SMALLINT, INTEGER, BIGINT -> switch (value) {
                case Long number -> number;
                case BigDecimal number -> number.setScale(0, RoundingMode.HALF_UP).longValueExact();
                case Double number -> Math.round(number);
                case String text -> Long.parseLong(text.trim());
                case Boolean bool -> bool ? 1L : 0L;
                default -> throw cannotCast(value, type);
            };
            case DECIMAL -> switch (value) {
                case Number number -> decimal(number).setScale(type.scale().orElse(0), RoundingMode.HALF_UP);
                case String text -> new BigDecimal(text.trim()).setScale(type.scale().orElse(0), RoundingMode.HALF_UP);
                default -> throw cannotCast(value, type);
            };
            case REAL, DOUBLE -> switch (value) {
                case Number number -> number.doubleValue();
                case String text -> Double.parseDouble(text.trim());
                default -> throw cannotCast(value, type);
            };
            case BOOLEAN -> switch (value) {
                case Boolean bool -> bool;
                case String text -> SqlValues.parse(type, text);
                default -> throw cannotCast(value, type);
            };
            case DATE -> switch (value) {
                case LocalDate date -> date;
                case LocalDateTime timestamp -> timestamp.toLocalDate();
                case String text -> LocalDate.parse(text.trim());
                default -> throw cannotCast(value, type);
            };
            case TIMESTAMP, TIMESTAMP_WITH_TIME_ZONE -> switch (value) {
                case LocalDate date -> date.atStartOfDay();
                case LocalDateTime timestamp -> timestamp;
                case String text -> LocalDateTime.parse(text.trim().replace(' ', 'T'));
                default -> throw cannotCast(value, type);
            };
            case TIME, VARBINARY, OTHER -> throw cannotCast(value, type);
        };
    }

    private static UnsupportedOperationException cannotCast(Object value, SqlType type)
    {
        return new UnsupportedOperationException("casting " + SqlValues.typeName(value) + " to " + type + " is not evaluated in Java");
    }

    private Object call(SqlFunction function, List<Expression> argumentExpressions, Map<String, Object> row)
    {
        if (function == SqlFunction.CURRENT_DATE) {
            return now.toLocalDate();
        }
        if (function == SqlFunction.CURRENT_TIMESTAMP) {
            return now;
        }
        List<Object> arguments = new ArrayList<>(argumentExpressions.size());
        for (Expression argument : argumentExpressions) {
            arguments.add(evaluate(argument, row));
        }
        if (function == SqlFunction.COALESCE) {
            return arguments.stream().filter(value -> value != null).findFirst().orElse(null);
        }
        if (function == SqlFunction.NULLIF) {
            Object first = arguments.get(0);
            return first != null && Boolean.TRUE.equals(compare(Expression.ComparisonOperator.EQUAL, first, arguments.get(1))) ? null : first;
        }
        // Every other function is NULL on a NULL argument.
        if (arguments.contains(null)) {
            return null;
        }
        Object first = arguments.getFirst();
        return switch (function) {
            case LOWER -> text(first).toLowerCase(Locale.ROOT);
            case UPPER -> text(first).toUpperCase(Locale.ROOT);
            case LENGTH -> (long) text(first).codePointCount(0, text(first).length());
            case SUBSTR -> substr(text(first), integer(arguments.get(1)), arguments.size() > 2 ? integer(arguments.get(2)) : Long.MAX_VALUE);
            case CONCAT -> {
                StringBuilder result = new StringBuilder();
                arguments.forEach(value -> result.append(text(value)));
                yield result.toString();
            }
            case TRIM -> text(first).strip();
            case LTRIM -> text(first).stripLeading();
            case RTRIM -> text(first).stripTrailing();
            case REPLACE -> text(first).replace(text(arguments.get(1)), text(arguments.get(2)));
            case STRPOS -> (long) text(first).indexOf(text(arguments.get(1))) + 1;
            case LPAD -> pad(text(first), integer(arguments.get(1)), text(arguments.get(2)), true);
            case RPAD -> pad(text(first), integer(arguments.get(1)), text(arguments.get(2)), false);
            case REVERSE -> new StringBuilder(text(first)).reverse().toString();
            case REGEXP_LIKE -> Pattern.compile(text(arguments.get(1))).matcher(text(first)).find();
            case REGEXP_REPLACE -> Pattern.compile(text(arguments.get(1))).matcher(text(first)).replaceAll(text(arguments.get(2)));
            case ABS -> switch (first) {
                case Long number -> Math.absExact(number);
                case BigDecimal number -> number.abs();
                case Double number -> Math.abs(number);
                default -> throw notNumber(function, first);
            };
            case ROUND -> round(first, arguments.size() > 1 ? integer(arguments.get(1)) : 0, function);
            case FLOOR -> switch (first) {
                case Long number -> number;
                case BigDecimal number -> number.setScale(0, RoundingMode.FLOOR);
                case Double number -> Math.floor(number);
                default -> throw notNumber(function, first);
            };
            case CEIL -> switch (first) {
                case Long number -> number;
                case BigDecimal number -> number.setScale(0, RoundingMode.CEILING);
                case Double number -> Math.ceil(number);
                default -> throw notNumber(function, first);
            };
            case MOD -> arithmetic(Expression.ArithmeticOperator.MODULUS, first, arguments.get(1));
            case GREATEST, LEAST -> {
                Object best = first;
                for (Object value : arguments) {
                    int order = order(value, best);
                    if (function == SqlFunction.GREATEST ? order > 0 : order < 0) {
                        best = value;
                    }
                }
                yield best;
            }
            case YEAR -> (long) timestamp(requireTemporal(function, first)).getYear();
            case MONTH -> (long) timestamp(requireTemporal(function, first)).getMonthValue();
            case DAY -> (long) timestamp(requireTemporal(function, first)).getDayOfMonth();
            case COALESCE, NULLIF, CURRENT_DATE, CURRENT_TIMESTAMP -> throw new IllegalStateException("handled above");
        };
    }

    private static Object requireTemporal(SqlFunction function, Object value)
    {
        if (!isTemporal(value)) {
            throw new IllegalArgumentException(function.sqlName() + "() needs a date or timestamp, not " + SqlValues.typeName(value));
        }
        return value;
    }

    private static IllegalArgumentException notNumber(SqlFunction function, Object value)
    {
        return new IllegalArgumentException(function.sqlName() + "() needs a number, not " + SqlValues.typeName(value));
    }

    private static Object round(Object value, long digits, SqlFunction function)
    {
        return switch (value) {
            case Long number -> digits >= 0 ? number : BigDecimal.valueOf(number).setScale((int) digits, RoundingMode.HALF_UP).longValueExact();
            case BigDecimal number -> number.setScale((int) Math.max(digits, 0), RoundingMode.HALF_UP);
            case Double number -> BigDecimal.valueOf(number).setScale((int) digits, RoundingMode.HALF_UP).doubleValue();
            default -> throw notNumber(function, value);
        };
    }

    private static long integer(Object value)
    {
        if (value instanceof Long number) {
            return number;
        }
        if (value instanceof BigDecimal number) {
            return number.longValueExact();
        }
        throw new IllegalArgumentException("expected a whole number, not " + SqlValues.typeName(value));
    }

    /** SQL's 1-based substring; a negative start counts from the end. */
    private static String substr(String text, long start, long length)
    {
        int size = text.length();
        if (start == 0 || length <= 0) {
            return "";
        }
        long from = start > 0 ? start - 1 : size + start;
        if (from < 0 || from >= size) {
            return "";
        }
        long to = Math.min(size, from + Math.min(length, size));
        return text.substring((int) from, (int) to);
    }

    private static String pad(String text, long size, String padding, boolean left)
    {
        if (size < 0) {
            throw new IllegalArgumentException("the target length of a pad must not be negative");
        }
        if (text.length() >= size) {
            return text.substring(0, (int) size);
        }
        if (padding.isEmpty()) {
            throw new IllegalArgumentException("the padding string must not be empty");
        }
        StringBuilder fill = new StringBuilder();
        while (fill.length() < size - text.length()) {
            fill.append(padding);
        }
        fill.setLength((int) (size - text.length()));
        return left ? fill + text : text + fill;
    }

    private static Object truncate(Object value, TimeUnit unit)
    {
        if (value == null) {
            return null;
        }
        LocalDateTime timestamp = timestamp(requireTemporal(SqlFunction.DAY, value));
        LocalDateTime truncated = switch (unit) {
            case MINUTE -> timestamp.truncatedTo(ChronoUnit.MINUTES);
            case HOUR -> timestamp.truncatedTo(ChronoUnit.HOURS);
            case DAY -> timestamp.truncatedTo(ChronoUnit.DAYS);
            case WEEK -> timestamp.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> timestamp.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
            case QUARTER -> timestamp.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).withMonth((timestamp.getMonthValue() - 1) / 3 * 3 + 1);
            case YEAR -> timestamp.truncatedTo(ChronoUnit.DAYS).withDayOfYear(1);
        };
        return value instanceof LocalDate ? truncated.toLocalDate() : truncated;
    }

    /** The first four bytes of SHA-256 of the salt and the keys, unsigned, modulo the bucket count: as the renderers compute it. */
    private Object hashBucket(Expression.HashBucket bucket, Map<String, Object> row)
    {
        StringBuilder text = new StringBuilder(bucket.salt());
        for (int i = 0; i < bucket.keys().size(); i++) {
            if (i > 0) {
                text.append('|');
            }
            Object key = evaluate(bucket.keys().get(i), row);
            if (key instanceof Double) {
                throw new UnsupportedOperationException("hashing a floating-point value is not evaluated in Java: its text differs between engines; give key columns that are not real or double");
            }
            text.append(key == null ? "" : text(key));
        }
        byte[] hash = sha256(text.toString());
        long firstFourBytes = ((hash[0] & 0xFFL) << 24) | ((hash[1] & 0xFFL) << 16) | ((hash[2] & 0xFFL) << 8) | (hash[3] & 0xFFL);
        return firstFourBytes % bucket.buckets();
    }

    private static byte[] sha256(String text)
    {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Boolean bool(Object value)
    {
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        throw new IllegalArgumentException("expected a boolean, not " + SqlValues.typeName(value));
    }

    private static String text(Object value)
    {
        return SqlValues.text(value);
    }
}
