package dev.warden.policy.sql;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.PersonNode;
import dev.warden.policy.expr.SqlFunction;
import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.SqlType;
import dev.warden.policy.model.UserContext;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Turns an expression tree into one engine's SQL. Every value becomes an escaped literal and every identifier
 * is quoted, so no value a user or governor supplies can change the shape of the statement; every compound
 * expression is parenthesised, so precedence never depends on where the SQL is pasted.
 *
 * <p>Both dialects give the same result for the same row: where the engines differ (LIKE's default escape,
 * {@code concat} and NULL, {@code regexp_replace} flags and back-references, {@code round} on doubles),
 * the rendering compensates. See {@code docs/policy-engine.md} for the few differences that remain.
 */
public final class SqlRenderer
{
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS");
    private static final Pattern SAFE_TYPE_SPELLING = Pattern.compile("[A-Za-z][A-Za-z0-9_ (),]*");
    private static final Pattern DOLLAR_GROUP = Pattern.compile("\\$(\\d)");
    private static final String HASH_KEY_SEPARATOR = "|";

    private final SqlDialect dialect;
    private final PersonBinding binding;
    private final Optional<SaltedSha256> saltedSha256;

    /**
     * A function of the enforcement point's that computes SHA-256 of a masking salt followed by a text, so that the salt
     * never appears in SQL the people it masks for can read: Trino shows a query's masks and filters to whoever runs
     * {@code EXPLAIN}, and a keyed hash whose key is known can be reversed by hashing guesses.
     *
     * @param functionName the function, called with the text ({@code varchar}) and the argument standing for the salt,
     *         returning the hash ({@code varbinary})
     * @param saltArgument the SQL argument that stands for a salt
     */
    public record SaltedSha256(String functionName, UnaryOperator<String> saltArgument)
    {
        public SaltedSha256
        {
            requireNonNull(functionName, "functionName is null");
            requireNonNull(saltArgument, "saltArgument is null");
        }
    }

    private SqlRenderer(SqlDialect dialect, PersonBinding binding, Optional<SaltedSha256> saltedSha256)
    {
        this.dialect = requireNonNull(dialect, "dialect is null");
        this.binding = requireNonNull(binding, "binding is null");
        this.saltedSha256 = requireNonNull(saltedSha256, "saltedSha256 is null");
        if (binding instanceof PersonBinding.EntitlementsTable && dialect != SqlDialect.POSTGRES) {
            throw new IllegalArgumentException("an entitlements table binding is available for PostgreSQL only, not " + dialect);
        }
    }

    public static SqlRenderer of(SqlDialect dialect, PersonBinding binding)
    {
        return new SqlRenderer(dialect, binding, Optional.empty());
    }

    /** A renderer that writes one user's values as literals. */
    public static SqlRenderer forUser(SqlDialect dialect, UserContext user)
    {
        return new SqlRenderer(dialect, new PersonBinding.Literals(user), Optional.empty());
    }

    /**
     * This renderer, but hashing with masking salts ({@code hash} masks, minimisation) through {@code function} rather
     * than with the salt written as a literal; the result is the same for every row.
     */
    public SqlRenderer withSaltedSha256(SaltedSha256 function)
    {
        return new SqlRenderer(dialect, binding, Optional.of(function));
    }

    public SqlDialect dialect()
    {
        return dialect;
    }

    public String render(Expression expression)
    {
        StringBuilder sql = new StringBuilder();
        append(sql, expression);
        return sql.toString();
    }

    /** {@code "name"}, with embedded double quotes doubled. */
    public String quoteIdentifier(String name)
    {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an identifier cannot contain a NUL character");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** A qualified name such as {@code "catalog"."schema"."table"}. */
    public String quoteQualifiedName(String... parts)
    {
        List<String> quoted = new ArrayList<>(parts.length);
        for (String part : parts) {
            quoted.add(quoteIdentifier(part));
        }
        return String.join(".", quoted);
    }

    /**
     * A string literal that stays one literal whatever it holds. Trino's strings have no escapes but doubled
     * quotes; PostgreSQL's are written as {@code E'...'} with backslashes doubled too, so that the value means the
     * same whether or not the server runs with {@code standard_conforming_strings}.
     */
    public String stringLiteral(String value)
    {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a string literal cannot contain a NUL character");
        }
        return switch (dialect) {
            case TRINO -> "'" + value.replace("'", "''") + "'";
            case POSTGRES -> "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
        };
    }

    public String renderType(SqlType type)
    {
        return switch (dialect) {
            case TRINO -> switch (type.family()) {
                case OTHER -> safeSpelling(type);
                default -> type.toString();
            };
            case POSTGRES -> switch (type.family()) {
                case TINYINT -> "smallint";
                case DECIMAL -> "numeric(%d,%d)".formatted(type.length().getAsInt(), type.scale().getAsInt());
                case DOUBLE -> "double precision";
                case VARBINARY -> "bytea";
                case OTHER -> safeSpelling(type);
                default -> type.toString();
            };
        };
    }

    private static String safeSpelling(SqlType type)
    {
        String spelling = type.spelling();
        int depth = 0;
        for (char c : spelling.toCharArray()) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth < 0) {
                break;
            }
        }
        if (depth != 0 || !SAFE_TYPE_SPELLING.matcher(spelling).matches()) {
            throw new IllegalArgumentException("type '%s' cannot be written into SQL safely".formatted(spelling));
        }
        return spelling;
    }

    private void append(StringBuilder sql, Expression expression)
    {
        switch (expression) {
            case Expression.Column column -> sql.append(quoteIdentifier(column.name()));
            case Expression.StringLiteral literal -> sql.append(stringLiteral(literal.value()));
            case Expression.LongLiteral literal -> appendLong(sql, literal.value());
            case Expression.DecimalLiteral literal -> {
                String digits = literal.value().toPlainString();
                switch (dialect) {
                    case TRINO -> sql.append("DECIMAL '").append(digits).append("'");
                    case POSTGRES -> sql.append(literal.value().signum() < 0 ? "(" + digits + ")" : digits);
                }
            }
            case Expression.DoubleLiteral literal -> {
                switch (dialect) {
                    case TRINO -> sql.append("DOUBLE '").append(literal.value()).append("'");
                    case POSTGRES -> sql.append("CAST('").append(literal.value()).append("' AS double precision)");
                }
            }
            case Expression.BooleanLiteral literal -> sql.append(literal.value() ? "TRUE" : "FALSE");
            case Expression.NullLiteral literal -> sql.append("CAST(NULL AS ").append(renderType(literal.type())).append(')');
            case Expression.UntypedNull _ -> sql.append("NULL");
            case Expression.DateLiteral literal -> sql.append("DATE '").append(literal.value()).append('\'');
            case Expression.TimestampLiteral literal -> sql.append("TIMESTAMP '").append(TIMESTAMP.format(literal.value())).append('\'');
            case Expression.Cast cast -> appendCast(sql, cast.value(), cast.type());
            case Expression.Comparison comparison -> {
                sql.append('(');
                append(sql, comparison.left());
                sql.append(' ').append(comparison.operator().sql()).append(' ');
                append(sql, comparison.right());
                sql.append(')');
            }
            case Expression.Logical logical -> {
                sql.append('(');
                String separator = " " + logical.operator().name() + " ";
                for (int i = 0; i < logical.terms().size(); i++) {
                    if (i > 0) {
                        sql.append(separator);
                    }
                    append(sql, logical.terms().get(i));
                }
                sql.append(')');
            }
            case Expression.Not not -> {
                sql.append("(NOT ");
                append(sql, not.value());
                sql.append(')');
            }
            case Expression.IsNull isNull -> {
                sql.append('(');
                append(sql, isNull.value());
                sql.append(isNull.negated() ? " IS NOT NULL)" : " IS NULL)");
            }
            case Expression.InList in -> {
                sql.append('(');
                append(sql, in.value());
                sql.append(in.negated() ? " NOT IN (" : " IN (");
                appendList(sql, in.list());
                sql.append("))");
            }
            case Expression.Like like -> {
                sql.append('(');
                append(sql, like.value());
                sql.append(like.negated() ? " NOT LIKE " : " LIKE ");
                append(sql, like.pattern());
                if (like.escape().isPresent()) {
                    sql.append(" ESCAPE ");
                    append(sql, like.escape().get());
                }
                else if (dialect == SqlDialect.POSTGRES) {
                    // PostgreSQL's LIKE treats backslash as an escape unless told otherwise; Trino's has no default escape.
                    sql.append(" ESCAPE ''");
                }
                sql.append(')');
            }
            case Expression.Between between -> {
                sql.append('(');
                append(sql, between.value());
                sql.append(between.negated() ? " NOT BETWEEN " : " BETWEEN ");
                append(sql, between.low());
                sql.append(" AND ");
                append(sql, between.high());
                sql.append(')');
            }
            case Expression.Arithmetic arithmetic -> {
                sql.append('(');
                append(sql, arithmetic.left());
                sql.append(' ').append(arithmetic.operator().sql()).append(' ');
                append(sql, arithmetic.right());
                sql.append(')');
            }
            case Expression.Negate negate -> {
                sql.append("(- ");
                append(sql, negate.value());
                sql.append(')');
            }
            case Expression.Call call -> appendCall(sql, call.function(), call.arguments());
            case Expression.Case caseExpression -> {
                sql.append("(CASE");
                for (Expression.WhenClause clause : caseExpression.whenClauses()) {
                    sql.append(" WHEN ");
                    append(sql, clause.condition());
                    sql.append(" THEN ");
                    append(sql, clause.result());
                }
                if (caseExpression.otherwise().isPresent()) {
                    sql.append(" ELSE ");
                    append(sql, caseExpression.otherwise().get());
                }
                sql.append(" END)");
            }
            case Expression.Sha256Hex hash -> {
                String text = stringLiteral(hash.salt()) + " || " + castToText(hash.text());
                sql.append(saltedSha256.isPresent()
                        ? "lower(to_hex(" + saltedSha256(hash.salt(), castToText(hash.text())) + "))"
                        : switch (dialect) {
                            case TRINO -> "lower(to_hex(sha256(to_utf8(" + text + "))))";
                            case POSTGRES -> "encode(sha256(convert_to(" + text + ", 'UTF8')), 'hex')";
                        });
            }
            case Expression.HashBucket bucket -> appendHashBucket(sql, bucket);
            case Expression.TimeAgo timeAgo -> sql.append("(current_timestamp - ").append(interval(timeAgo.amount(), timeAgo.unit())).append(')');
            case Expression.DateTrunc trunc -> {
                String truncated = "date_trunc(" + stringLiteral(trunc.unit().sqlName()) + ", " + render(trunc.value()) + ")";
                sql.append("CAST(").append(truncated).append(" AS ").append(renderType(trunc.valueType())).append(')');
            }
            case PersonNode.UserName _ -> sql.append(switch (binding) {
                case PersonBinding.Literals literals -> stringLiteral(literals.user().name());
                case PersonBinding.EntitlementsTable _ -> "CAST(current_user AS varchar)";
            });
            case PersonNode.ProjectName _ -> sql.append(switch (binding) {
                case PersonBinding.Literals literals -> literals.user().currentProject()
                        .map(this::stringLiteral)
                        .orElse("CAST(NULL AS varchar)");
                case PersonBinding.EntitlementsTable table ->
                        "(SELECT min(e.\"value\") FROM %s e WHERE e.\"user_name\" = current_user AND e.\"kind\" = 'project')"
                                .formatted(quoteQualifiedName(table.schema(), table.table()));
            });
            case PersonNode.SetContains contains -> appendSetContains(sql, contains);
        }
    }

    private void appendLong(StringBuilder sql, long value)
    {
        if (value == Long.MIN_VALUE) {
            // The literal 9223372036854775808 does not fit in a bigint, so negating it is no way to write the minimum.
            sql.append("(-9223372036854775807 - 1)");
        }
        else if (value < 0) {
            sql.append('(').append(value).append(')');
        }
        else {
            sql.append(value);
        }
    }

    private void appendCast(StringBuilder sql, Expression value, SqlType type)
    {
        sql.append("CAST(");
        append(sql, value);
        sql.append(" AS ").append(renderType(type)).append(')');
    }

    private String castToText(Expression value)
    {
        return "CAST(" + render(value) + " AS varchar)";
    }

    private void appendList(StringBuilder sql, List<Expression> items)
    {
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sql.append(", ");
            }
            append(sql, items.get(i));
        }
    }

    private void appendCall(StringBuilder sql, SqlFunction function, List<Expression> arguments)
    {
        switch (function) {
            case CURRENT_DATE -> sql.append("current_date");
            case CURRENT_TIMESTAMP -> sql.append("current_timestamp");
            case CONCAT -> {
                // concat() skips NULLs in PostgreSQL but not in Trino; || yields NULL on a NULL in both.
                sql.append('(');
                sql.append(arguments.stream().map(this::castToText).collect(Collectors.joining(" || ")));
                sql.append(')');
            }
            case REGEXP_LIKE -> {
                if (dialect == SqlDialect.POSTGRES) {
                    sql.append('(');
                    append(sql, arguments.get(0));
                    sql.append(" ~ ");
                    append(sql, postgresPattern(arguments.get(1)));
                    sql.append(')');
                }
                else {
                    appendPlainCall(sql, "regexp_like", arguments);
                }
            }
            case REGEXP_REPLACE -> {
                if (dialect == SqlDialect.POSTGRES) {
                    sql.append("regexp_replace(");
                    append(sql, arguments.get(0));
                    sql.append(", ");
                    append(sql, postgresPattern(arguments.get(1)));
                    sql.append(", ");
                    append(sql, postgresReplacement(arguments.get(2)));
                    sql.append(", 'g')");
                }
                else {
                    appendPlainCall(sql, "regexp_replace", arguments);
                }
            }
            case ROUND -> {
                if (dialect == SqlDialect.POSTGRES && arguments.size() == 2) {
                    // PostgreSQL rounds to a number of digits only for numeric.
                    sql.append("round(CAST(");
                    append(sql, arguments.get(0));
                    sql.append(" AS numeric), ");
                    append(sql, arguments.get(1));
                    sql.append(')');
                }
                else {
                    appendPlainCall(sql, "round", arguments);
                }
            }
            case YEAR, MONTH, DAY -> {
                if (dialect == SqlDialect.POSTGRES) {
                    sql.append("CAST(EXTRACT(").append(function.name()).append(" FROM ");
                    append(sql, arguments.getFirst());
                    sql.append(") AS bigint)");
                }
                else {
                    appendPlainCall(sql, function.sqlName(), arguments);
                }
            }
            default -> appendPlainCall(sql, function.sqlName(), arguments);
        }
    }

    private void appendPlainCall(StringBuilder sql, String name, List<Expression> arguments)
    {
        sql.append(name).append('(');
        appendList(sql, arguments);
        sql.append(')');
    }

    private static Expression postgresPattern(Expression pattern)
    {
        return pattern instanceof Expression.StringLiteral literal ? new Expression.StringLiteral(PostgresRegex.fromTrino(literal.value())) : pattern;
    }

    /** Trino writes back-references as {@code $1}, PostgreSQL as {@code \1}; a literal backslash must be doubled there. */
    private static Expression postgresReplacement(Expression replacement)
    {
        if (!(replacement instanceof Expression.StringLiteral literal)) {
            return replacement;
        }
        String escaped = literal.value().replace("\\", "\\\\");
        Matcher matcher = DOLLAR_GROUP.matcher(escaped);
        return new Expression.StringLiteral(matcher.replaceAll(match -> Matcher.quoteReplacement("\\" + match.group(1))));
    }

    /**
     * An unsigned 32-bit number taken from the first four bytes of SHA-256 of the salt and the keys, modulo the
     * bucket count; identical in both dialects, so a row kept by minimisation in Trino is kept in PostgreSQL too.
     */
    private void appendHashBucket(StringBuilder sql, Expression.HashBucket bucket)
    {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < bucket.keys().size(); i++) {
            if (i > 0) {
                keys.add(stringLiteral(HASH_KEY_SEPARATOR));
            }
            keys.add("coalesce(" + castToText(bucket.keys().get(i)) + ", '')");
        }
        String text = stringLiteral(bucket.salt()) + " || " + String.join(" || ", keys);
        String firstFourBytes = saltedSha256.isPresent()
                ? "from_base(to_hex(substr(" + saltedSha256(bucket.salt(), String.join(" || ", keys)) + ", 1, 4)), 16)"
                : switch (dialect) {
                    case TRINO -> "from_base(to_hex(substr(sha256(to_utf8(" + text + ")), 1, 4)), 16)";
                    case POSTGRES -> "CAST(CAST('x' || substr(encode(sha256(convert_to(" + text + ", 'UTF8')), 'hex'), 1, 8) AS bit(32)) AS bigint)";
                };
        sql.append('(').append(firstFourBytes).append(" % ").append(bucket.buckets()).append(')');
    }

    /** SHA-256 of the salt followed by {@code text}, through the enforcement point's function. */
    private String saltedSha256(String salt, String text)
    {
        SaltedSha256 function = saltedSha256.orElseThrow();
        return function.functionName() + "(" + text + ", " + function.saltArgument().apply(salt) + ")";
    }

    private String interval(int amount, TimeUnit unit)
    {
        return switch (dialect) {
            case TRINO -> switch (unit) {
                case MINUTE, HOUR, DAY, MONTH, YEAR -> "INTERVAL '%d' %s".formatted(amount, unit.name());
                case WEEK -> "INTERVAL '%d' DAY".formatted(Math.multiplyExact(amount, 7));
                case QUARTER -> "INTERVAL '%d' MONTH".formatted(Math.multiplyExact(amount, 3));
            };
            case POSTGRES -> switch (unit) {
                case QUARTER -> "INTERVAL '%d months'".formatted(Math.multiplyExact(amount, 3));
                default -> "INTERVAL '%d %ss'".formatted(amount, unit.sqlName());
            };
        };
    }

    private void appendSetContains(StringBuilder sql, PersonNode.SetContains contains)
    {
        switch (binding) {
            case PersonBinding.Literals literals -> {
                Collection<String> values = contains.set().valuesOf(literals.user());
                if (values.isEmpty()) {
                    sql.append("FALSE");
                    return;
                }
                sql.append('(').append(castToText(contains.value())).append(" IN (");
                sql.append(values.stream().map(this::stringLiteral).collect(Collectors.joining(", ")));
                sql.append("))");
            }
            case PersonBinding.EntitlementsTable table -> {
                String kind = switch (contains.set()) {
                    case PersonNode.Groups _ -> "e.\"kind\" = 'group'";
                    case PersonNode.Purposes _ -> "e.\"kind\" = 'purpose'";
                    case PersonNode.Attribute attribute -> "e.\"kind\" = 'attribute' AND e.\"key\" = " + stringLiteral(attribute.key());
                };
                sql.append("(EXISTS (SELECT 1 FROM ").append(quoteQualifiedName(table.schema(), table.table()))
                        .append(" e WHERE e.\"user_name\" = current_user AND ").append(kind)
                        .append(" AND e.\"value\" = ").append(castToText(contains.value())).append("))");
            }
        }
    }
}
