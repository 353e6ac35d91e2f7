package dev.warden.policy.engine;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expressions;
import dev.warden.policy.expr.PersonNode;
import dev.warden.policy.model.UserContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers the person-only parts of a boolean expression for one user, so that {@code user_in_group('hr') OR
 * region = 'EU'} becomes {@code TRUE} for a member of hr. Parts that also depend on the row stay as they are,
 * for the renderer to bind.
 */
final class PersonFolding
{
    private PersonFolding() {}

    static Expression fold(Expression expression, UserContext user)
    {
        return switch (expression) {
            case PersonNode.SetContains contains when contains.value() instanceof Expression.StringLiteral literal ->
                    contains.set().valuesOf(user).contains(literal.value()) ? Expressions.TRUE : Expressions.FALSE;
            case Expression.Logical logical -> {
                List<Expression> terms = new ArrayList<>(logical.terms().size());
                for (Expression term : logical.terms()) {
                    terms.add(fold(term, user));
                }
                yield logical.operator() == Expression.LogicalOperator.AND ? Expressions.and(terms) : Expressions.or(terms);
            }
            case Expression.Not not -> Expressions.not(fold(not.value(), user));
            default -> expression;
        };
    }
}
