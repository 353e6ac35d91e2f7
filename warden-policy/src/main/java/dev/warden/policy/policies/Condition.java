package dev.warden.policy.policies;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expressions;
import dev.warden.policy.expr.PersonNode;
import dev.warden.policy.model.Checks;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.UserContext;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A test on the person querying: their groups, attributes, purposes or name, combined with AND and OR.
 * {@link #test} answers it for one user; {@link #toExpression} states it in SQL terms for engines that
 * evaluate it per row against an entitlements table.
 */
public sealed interface Condition
        permits Condition.InGroup, Condition.HasAttribute, Condition.HasPurpose, Condition.IsUser, Condition.AllOf, Condition.AnyOf
{
    boolean test(UserContext user);

    Expression toExpression();

    String describe();

    record InGroup(String group)
            implements Condition
    {
        public InGroup
        {
            Checks.name("group", group);
        }

        @Override
        public boolean test(UserContext user)
        {
            return user.groups().contains(group);
        }

        @Override
        public Expression toExpression()
        {
            return new PersonNode.SetContains(new PersonNode.Groups(), Expressions.string(group));
        }

        @Override
        public String describe()
        {
            return "member of group '" + group + "'";
        }
    }

    record HasAttribute(String key, String value)
            implements Condition
    {
        public HasAttribute
        {
            Checks.name("attribute", key);
            Checks.value("value", value);
        }

        @Override
        public boolean test(UserContext user)
        {
            return user.hasAttribute(key, value);
        }

        @Override
        public Expression toExpression()
        {
            return new PersonNode.SetContains(new PersonNode.Attribute(key), Expressions.string(value));
        }

        @Override
        public String describe()
        {
            return "has attribute " + key + "='" + value + "'";
        }
    }

    record HasPurpose(String purpose)
            implements Condition
    {
        public HasPurpose
        {
            Checks.name("purpose", purpose);
        }

        @Override
        public boolean test(UserContext user)
        {
            return user.purposes().contains(purpose);
        }

        @Override
        public Expression toExpression()
        {
            return new PersonNode.SetContains(new PersonNode.Purposes(), Expressions.string(purpose));
        }

        @Override
        public String describe()
        {
            return "acting under purpose '" + purpose + "'";
        }
    }

    record IsUser(String userName)
            implements Condition
    {
        public IsUser
        {
            Checks.name("user", userName);
        }

        @Override
        public boolean test(UserContext user)
        {
            return user.name().equals(userName);
        }

        @Override
        public Expression toExpression()
        {
            return new Expression.Comparison(Expression.ComparisonOperator.EQUAL, new PersonNode.UserName(), Expressions.string(userName));
        }

        @Override
        public String describe()
        {
            return "is user '" + userName + "'";
        }
    }

    record AllOf(List<Condition> conditions)
            implements Condition
    {
        public AllOf
        {
            conditions = nonEmpty("allOf", conditions);
        }

        @Override
        public boolean test(UserContext user)
        {
            for (Condition condition : conditions) {
                if (!condition.test(user)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Expression toExpression()
        {
            return Expressions.and(conditions.stream().map(Condition::toExpression).toList());
        }

        @Override
        public String describe()
        {
            return conditions.size() == 1 ? conditions.getFirst().describe()
                    : conditions.stream().map(Condition::describe).collect(Collectors.joining(" and ", "(", ")"));
        }
    }

    record AnyOf(List<Condition> conditions)
            implements Condition
    {
        public AnyOf
        {
            conditions = nonEmpty("anyOf", conditions);
        }

        @Override
        public boolean test(UserContext user)
        {
            for (Condition condition : conditions) {
                if (condition.test(user)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Expression toExpression()
        {
            return Expressions.or(conditions.stream().map(Condition::toExpression).toList());
        }

        @Override
        public String describe()
        {
            return conditions.size() == 1 ? conditions.getFirst().describe()
                    : conditions.stream().map(Condition::describe).collect(Collectors.joining(" or ", "(", ")"));
        }
    }

    private static List<Condition> nonEmpty(String field, List<Condition> conditions)
    {
        List<Condition> copy = List.copyOf(Checks.required(field, conditions));
        if (copy.isEmpty()) {
            throw new InvalidModelException(field, "needs at least one condition");
        }
        return copy;
    }
}
