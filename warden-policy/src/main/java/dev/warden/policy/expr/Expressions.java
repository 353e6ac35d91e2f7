package dev.warden.policy.expr;

import dev.warden.policy.expr.Expression.BooleanLiteral;
import dev.warden.policy.expr.Expression.Logical;
import dev.warden.policy.expr.Expression.LogicalOperator;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Small constructors and folds over {@link Expression} trees. */
public final class Expressions
{
    public static final Expression TRUE = new BooleanLiteral(true);
    public static final Expression FALSE = new BooleanLiteral(false);

    private Expressions() {}

    public static Expression column(String name)
    {
        return new Expression.Column(name);
    }

    public static Expression string(String value)
    {
        return new Expression.StringLiteral(value);
    }

    public static Expression number(long value)
    {
        return new Expression.LongLiteral(value);
    }

    public static Expression call(SqlFunction function, Expression... arguments)
    {
        return new Expression.Call(function, List.of(arguments));
    }

    /** AND of the terms, flattening nested ANDs and folding TRUE and FALSE away. */
    public static Expression and(List<Expression> terms)
    {
        return combine(LogicalOperator.AND, terms);
    }

    /** OR of the terms, flattening nested ORs and folding TRUE and FALSE away. */
    public static Expression or(List<Expression> terms)
    {
        return combine(LogicalOperator.OR, terms);
    }

    private static Expression combine(LogicalOperator operator, List<Expression> terms)
    {
        Expression identity = operator == LogicalOperator.AND ? TRUE : FALSE;
        Expression absorbing = operator == LogicalOperator.AND ? FALSE : TRUE;
        List<Expression> flat = new ArrayList<>();
        for (Expression term : terms) {
            if (term.equals(absorbing)) {
                return absorbing;
            }
            if (term.equals(identity)) {
                continue;
            }
            if (term instanceof Logical logical && logical.operator() == operator) {
                flat.addAll(logical.terms());
            }
            else {
                flat.add(term);
            }
        }
        if (flat.isEmpty()) {
            return identity;
        }
        if (flat.size() == 1) {
            return flat.getFirst();
        }
        return new Logical(operator, flat);
    }

    public static Expression not(Expression value)
    {
        if (value.equals(TRUE)) {
            return FALSE;
        }
        if (value.equals(FALSE)) {
            return TRUE;
        }
        return new Expression.Not(value);
    }

    /** Every column an expression names, in the order they first appear. */
    public static Set<String> columns(Expression expression)
    {
        Set<String> names = new LinkedHashSet<>();
        collectColumns(expression, names);
        return names;
    }

    private static void collectColumns(Expression expression, Set<String> names)
    {
        switch (expression) {
            case Expression.Column column -> names.add(column.name());
            case Expression.Literal _, Expression.TimeAgo _, PersonNode.UserName _, PersonNode.ProjectName _ -> {}
            case Expression.Cast cast -> collectColumns(cast.value(), names);
            case Expression.Comparison comparison -> {
                collectColumns(comparison.left(), names);
                collectColumns(comparison.right(), names);
            }
            case Logical logical -> logical.terms().forEach(term -> collectColumns(term, names));
            case Expression.Not not -> collectColumns(not.value(), names);
            case Expression.IsNull isNull -> collectColumns(isNull.value(), names);
            case Expression.InList in -> {
                collectColumns(in.value(), names);
                in.list().forEach(item -> collectColumns(item, names));
            }
            case Expression.Like like -> {
                collectColumns(like.value(), names);
                collectColumns(like.pattern(), names);
                like.escape().ifPresent(escape -> collectColumns(escape, names));
            }
            case Expression.Between between -> {
                collectColumns(between.value(), names);
                collectColumns(between.low(), names);
                collectColumns(between.high(), names);
            }
            case Expression.Arithmetic arithmetic -> {
                collectColumns(arithmetic.left(), names);
                collectColumns(arithmetic.right(), names);
            }
            case Expression.Negate negate -> collectColumns(negate.value(), names);
            case Expression.Call call -> call.arguments().forEach(argument -> collectColumns(argument, names));
            case Expression.Case caseExpression -> {
                for (Expression.WhenClause clause : caseExpression.whenClauses()) {
                    collectColumns(clause.condition(), names);
                    collectColumns(clause.result(), names);
                }
                caseExpression.otherwise().ifPresent(otherwise -> collectColumns(otherwise, names));
            }
            case Expression.Sha256Hex hash -> collectColumns(hash.text(), names);
            case Expression.HashBucket bucket -> bucket.keys().forEach(key -> collectColumns(key, names));
            case Expression.DateTrunc trunc -> collectColumns(trunc.value(), names);
            case PersonNode.SetContains contains -> collectColumns(contains.value(), names);
        }
    }
}
