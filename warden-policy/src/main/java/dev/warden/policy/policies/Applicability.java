package dev.warden.policy.policies;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expressions;
import dev.warden.policy.model.UserContext;

import static java.util.Objects.requireNonNull;

/** Whom a masking or row-level policy applies to. */
public sealed interface Applicability
        permits Applicability.Everyone, Applicability.EveryoneExcept, Applicability.EveryoneWho
{
    boolean appliesTo(UserContext user);

    /** True, as SQL, for the users the policy applies to. */
    Expression toExpression();

    String describe();

    record Everyone()
            implements Applicability
    {
        @Override
        public boolean appliesTo(UserContext user)
        {
            return true;
        }

        @Override
        public Expression toExpression()
        {
            return Expressions.TRUE;
        }

        @Override
        public String describe()
        {
            return "everyone";
        }
    }

    record EveryoneExcept(Condition condition)
            implements Applicability
    {
        public EveryoneExcept
        {
            requireNonNull(condition, "condition is null");
        }

        @Override
        public boolean appliesTo(UserContext user)
        {
            return !condition.test(user);
        }

        @Override
        public Expression toExpression()
        {
            return Expressions.not(condition.toExpression());
        }

        @Override
        public String describe()
        {
            return "everyone except who is " + condition.describe();
        }
    }

    record EveryoneWho(Condition condition)
            implements Applicability
    {
        public EveryoneWho
        {
            requireNonNull(condition, "condition is null");
        }

        @Override
        public boolean appliesTo(UserContext user)
        {
            return condition.test(user);
        }

        @Override
        public Expression toExpression()
        {
            return condition.toExpression();
        }

        @Override
        public String describe()
        {
            return "everyone who is " + condition.describe();
        }
    }
}
