package dev.warden.policy.sql;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expression.ArithmeticOperator;
import dev.warden.policy.expr.Expression.ComparisonOperator;
import dev.warden.policy.expr.Expression.LogicalOperator;
import dev.warden.policy.expr.PersonNode;
import dev.warden.policy.expr.SqlFunction;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.SqlType;
import io.trino.sql.ExpressionFormatter;
import io.trino.sql.parser.ParsingException;
import io.trino.sql.parser.SqlParser;
import io.trino.sql.tree.ArithmeticBinaryExpression;
import io.trino.sql.tree.ArithmeticUnaryExpression;
import io.trino.sql.tree.BetweenPredicate;
import io.trino.sql.tree.BooleanLiteral;
import io.trino.sql.tree.Cast;
import io.trino.sql.tree.CoalesceExpression;
import io.trino.sql.tree.ComparisonExpression;
import io.trino.sql.tree.CurrentDate;
import io.trino.sql.tree.CurrentTimestamp;
import io.trino.sql.tree.CurrentUser;
import io.trino.sql.tree.DecimalLiteral;
import io.trino.sql.tree.DoubleLiteral;
import io.trino.sql.tree.FunctionCall;
import io.trino.sql.tree.GenericLiteral;
import io.trino.sql.tree.Identifier;
import io.trino.sql.tree.InListExpression;
import io.trino.sql.tree.InPredicate;
import io.trino.sql.tree.IsNotNullPredicate;
import io.trino.sql.tree.IsNullPredicate;
import io.trino.sql.tree.LikePredicate;
import io.trino.sql.tree.LogicalExpression;
import io.trino.sql.tree.LongLiteral;
import io.trino.sql.tree.Node;
import io.trino.sql.tree.NodeLocation;
import io.trino.sql.tree.NotExpression;
import io.trino.sql.tree.NullIfExpression;
import io.trino.sql.tree.NullLiteral;
import io.trino.sql.tree.SearchedCaseExpression;
import io.trino.sql.tree.SimpleCaseExpression;
import io.trino.sql.tree.StringLiteral;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses a governor's SQL condition with Trino's own parser and turns it into Warden's expression tree.
 * Only constructs that mean the same on every engine Warden renders for are accepted; anything else
 * (subqueries, lambdas, window functions, functions not in {@link SqlFunction}, qualified column names)
 * is refused with its position, so that a policy never reaches an engine as SQL Warden cannot vouch for.
 *
 * <p>Unquoted identifiers are folded to lower case, as both Trino and PostgreSQL do; quoted ones are kept as written.
 * The person's values are reached through {@code current_user}, {@code current_project()},
 * {@code user_in_group(x)}, {@code user_has_purpose(x)} and {@code user_attribute_contains('key', x)}.
 */
public final class CustomSqlParser
{
    public static final int MAX_LENGTH = 10_000;
    public static final int MAX_DEPTH = 64;

    private static final String FIELD = "sql";
    private static final SqlParser PARSER = new SqlParser();
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd[[ ]['T']HH:mm[:ss]]")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
            .toFormatter(Locale.ROOT);

    private CustomSqlParser() {}

    /** Parses a boolean condition such as {@code region = 'EU' AND user_in_group('analysts')}. */
    public static Expression parseCondition(String text)
    {
        if (text == null || text.isBlank()) {
            throw new InvalidModelException(FIELD, "the condition is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidModelException(FIELD, "the condition is %d characters long; at most %d are allowed".formatted(text.length(), MAX_LENGTH));
        }
        io.trino.sql.tree.Expression tree;
        try {
            tree = PARSER.createExpression(text);
        }
        catch (ParsingException e) {
            throw new InvalidModelException(FIELD, "line %d:%d: %s".formatted(e.getLineNumber(), e.getColumnNumber(), e.getErrorMessage()));
        }
        catch (StackOverflowError e) {
            throw new InvalidModelException(FIELD, "the condition is nested too deeply");
        }
        return new Converter().convert(tree, 0);
    }

    private static final class Converter
    {
        Expression convert(Node node, int depth)
        {
            if (depth > MAX_DEPTH) {
                throw refuse(node, "the condition is nested more than %d levels deep".formatted(MAX_DEPTH));
            }
            int next = depth + 1;
            return switch (node) {
                case Identifier identifier -> new Expression.Column(identifierName(identifier));
                case StringLiteral literal -> new Expression.StringLiteral(literal.getValue());
                case LongLiteral literal -> new Expression.LongLiteral(literal.getParsedValue());
                case DecimalLiteral literal -> new Expression.DecimalLiteral(new BigDecimal(literal.getValue()));
                case DoubleLiteral literal -> new Expression.DoubleLiteral(literal.getValue());
                case BooleanLiteral literal -> new Expression.BooleanLiteral(literal.getValue());
                case NullLiteral _ -> new Expression.UntypedNull();
                case GenericLiteral literal -> genericLiteral(literal);
                case CurrentUser _ -> new PersonNode.UserName();
                case CurrentDate _ -> new Expression.Call(SqlFunction.CURRENT_DATE, List.of());
                case CurrentTimestamp timestamp when timestamp.getPrecision().isEmpty() -> new Expression.Call(SqlFunction.CURRENT_TIMESTAMP, List.of());
                case Cast cast -> {
                    if (cast.isSafe()) {
                        throw refuse(cast, "TRY_CAST is not supported; use CAST");
                    }
                    yield new Expression.Cast(convert(cast.getExpression(), next), dataType(cast));
                }
                case ComparisonExpression comparison -> new Expression.Comparison(
                        ComparisonOperator.valueOf(comparison.getOperator().name()),
                        convert(comparison.getLeft(), next),
                        convert(comparison.getRight(), next));
                case LogicalExpression logical -> new Expression.Logical(
                        LogicalOperator.valueOf(logical.getOperator().name()),
                        convertAll(logical.getTerms(), next));
                case NotExpression not -> new Expression.Not(convert(not.getValue(), next));
                case IsNullPredicate isNull -> new Expression.IsNull(convert(isNull.getValue(), next), false);
                case IsNotNullPredicate isNotNull -> new Expression.IsNull(convert(isNotNull.getValue(), next), true);
                case InPredicate in when in.getValueList() instanceof InListExpression list ->
                        new Expression.InList(convert(in.getValue(), next), convertAll(list.getValues(), next), false);
                case LikePredicate like -> new Expression.Like(
                        convert(like.getValue(), next),
                        convert(like.getPattern(), next),
                        like.getEscape().map(escape -> convert(escape, next)),
                        false);
                case BetweenPredicate between -> new Expression.Between(
                        convert(between.getValue(), next),
                        convert(between.getMin(), next),
                        convert(between.getMax(), next),
                        false);
                case ArithmeticBinaryExpression arithmetic -> new Expression.Arithmetic(
                        ArithmeticOperator.valueOf(arithmetic.getOperator().name()),
                        convert(arithmetic.getLeft(), next),
                        convert(arithmetic.getRight(), next));
                case ArithmeticUnaryExpression unary -> unary.getSign() == ArithmeticUnaryExpression.Sign.MINUS
                        ? new Expression.Negate(convert(unary.getValue(), next))
                        : convert(unary.getValue(), next);
                case CoalesceExpression coalesce -> new Expression.Call(SqlFunction.COALESCE, convertAll(coalesce.getOperands(), next));
                case NullIfExpression nullIf -> new Expression.Call(SqlFunction.NULLIF,
                        List.of(convert(nullIf.getFirst(), next), convert(nullIf.getSecond(), next)));
                case SearchedCaseExpression searched -> new Expression.Case(
                        searched.getWhenClauses().stream()
                                .map(clause -> new Expression.WhenClause(convert(clause.getOperand(), next), convert(clause.getResult(), next)))
                                .toList(),
                        searched.getDefaultValue().map(value -> convert(value, next)));
                case SimpleCaseExpression simple -> {
                    Expression operand = convert(simple.getOperand(), next);
                    yield new Expression.Case(
                            simple.getWhenClauses().stream()
                                    .map(clause -> new Expression.WhenClause(
                                            new Expression.Comparison(ComparisonOperator.EQUAL, operand, convert(clause.getOperand(), next)),
                                            convert(clause.getResult(), next)))
                                    .toList(),
                            simple.getDefaultValue().map(value -> convert(value, next)));
                }
                case FunctionCall call -> functionCall(call, next);
                default -> throw refuse(node, "%s is not allowed in a policy condition".formatted(describe(node)));
            };
        }

        private List<Expression> convertAll(List<? extends Node> nodes, int depth)
        {
            List<Expression> converted = new ArrayList<>(nodes.size());
            for (Node node : nodes) {
                converted.add(convert(node, depth));
            }
            return converted;
        }

        private Expression functionCall(FunctionCall call, int depth)
        {
            if (call.getWindow().isPresent() || call.getFilter().isPresent() || call.getOrderBy().isPresent()
                    || call.isDistinct() || call.getNullTreatment().isPresent() || call.getProcessingMode().isPresent()) {
                throw refuse(call, "aggregate and window function syntax is not allowed in a policy condition");
            }
            if (call.getName().getParts().size() != 1) {
                throw refuse(call, "function '%s' is not allowed; use an unqualified name".formatted(call.getName()));
            }
            String name = call.getName().getSuffix().toLowerCase(Locale.ROOT);
            List<io.trino.sql.tree.Expression> arguments = call.getArguments();
            switch (name) {
                case "current_project" -> {
                    expectArguments(call, name, 0);
                    return new PersonNode.ProjectName();
                }
                case "user_in_group" -> {
                    expectArguments(call, name, 1);
                    return new PersonNode.SetContains(new PersonNode.Groups(), convert(arguments.getFirst(), depth));
                }
                case "user_has_purpose" -> {
                    expectArguments(call, name, 1);
                    return new PersonNode.SetContains(new PersonNode.Purposes(), convert(arguments.getFirst(), depth));
                }
                case "user_attribute_contains" -> {
                    expectArguments(call, name, 2);
                    if (!(arguments.getFirst() instanceof StringLiteral key)) {
                        throw refuse(arguments.getFirst(), "the first argument of user_attribute_contains must be the attribute's name as a string literal");
                    }
                    return new PersonNode.SetContains(new PersonNode.Attribute(key.getValue()), convert(arguments.get(1), depth));
                }
                default -> {
                    SqlFunction function = SqlFunction.byName(name)
                            .orElseThrow(() -> refuse(call, "function '%s' is not allowed in a policy condition; allowed are %s, current_user, current_project, user_in_group, user_has_purpose and user_attribute_contains"
                                    .formatted(name, SqlFunction.supportedNames())));
                    if (arguments.size() < function.minArguments() || arguments.size() > function.maxArguments()) {
                        throw refuse(call, "function '%s' takes %s arguments, not %d".formatted(name, function.arity(), arguments.size()));
                    }
                    return new Expression.Call(function, convertAll(arguments, depth));
                }
            }
        }

        private void expectArguments(FunctionCall call, String name, int count)
        {
            if (call.getArguments().size() != count) {
                throw refuse(call, "function '%s' takes %d arguments, not %d".formatted(name, count, call.getArguments().size()));
            }
        }

        private static String identifierName(Identifier identifier)
        {
            return identifier.isDelimited() ? identifier.getValue() : identifier.getValue().toLowerCase(Locale.ROOT);
        }

        private Expression genericLiteral(GenericLiteral literal)
        {
            String type = literal.getType().toLowerCase(Locale.ROOT);
            try {
                return switch (type) {
                    case "date" -> new Expression.DateLiteral(LocalDate.parse(literal.getValue().strip()));
                    case "timestamp" -> new Expression.TimestampLiteral(LocalDateTime.parse(literal.getValue().strip(), TIMESTAMP));
                    default -> throw refuse(literal, "%s literals are not allowed; write CAST('...' AS %s)".formatted(literal.getType(), type));
                };
            }
            catch (DateTimeParseException e) {
                throw refuse(literal, "'%s' is not a valid %s".formatted(literal.getValue(), type));
            }
        }

        private SqlType dataType(Cast cast)
        {
            SqlType type = SqlType.parse(ExpressionFormatter.formatExpression(cast.getType()));
            if (type.family() == SqlType.Family.OTHER) {
                throw refuse(cast.getType(), "CAST to %s is not allowed in a policy condition".formatted(type.spelling()));
            }
            return type;
        }

        private static String describe(Node node)
        {
            return switch (node) {
                case io.trino.sql.tree.DereferenceExpression _ -> "a qualified column name";
                case io.trino.sql.tree.SubqueryExpression _, io.trino.sql.tree.ExistsPredicate _ -> "a subquery";
                case io.trino.sql.tree.LambdaExpression _ -> "a lambda expression";
                case io.trino.sql.tree.Parameter _ -> "a parameter";
                default -> {
                    String simpleName = node.getClass().getSimpleName();
                    yield simpleName.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
                }
            };
        }

        private static InvalidModelException refuse(Node node, String reason)
        {
            String position = node.getLocation()
                    .map(CustomSqlParser.Converter::position)
                    .orElse("");
            return new InvalidModelException(FIELD, position + reason);
        }

        private static String position(NodeLocation location)
        {
            return "line %d:%d: ".formatted(location.getLineNumber(), location.getColumnNumber());
        }
    }
}
