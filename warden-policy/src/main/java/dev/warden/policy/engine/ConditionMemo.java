package dev.warden.policy.engine;

import dev.warden.policy.model.UserContext;
import dev.warden.policy.policies.Applicability;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.Condition;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Answers each distinct condition at most once per decision. Many policies share a condition (members of one group,
 * holders of one clearance), so a decision that meets a hundred policies asks far fewer questions of the user.
 */
final class ConditionMemo
{
    private static final byte UNKNOWN = 0;
    private static final byte TRUE = 1;
    private static final byte FALSE = 2;

    private final List<Condition> conditions;
    private final UserContext user;
    private final byte[] answers;

    ConditionMemo(List<Condition> conditions, UserContext user)
    {
        this.conditions = conditions;
        this.user = requireNonNull(user, "user is null");
        this.answers = new byte[conditions.size()];
    }

    boolean test(int condition)
    {
        byte answer = answers[condition];
        if (answer == UNKNOWN) {
            answer = conditions.get(condition).test(user) ? TRUE : FALSE;
            answers[condition] = answer;
        }
        return answer == TRUE;
    }

    /**
     * Numbers the distinct conditions of an engine's policies, once, when the engine is built. An engine for changed
     * policies continues its predecessor's numbering, so that the condition numbers in the plans it keeps stay true.
     */
    static final class Numbering
    {
        private final Map<Condition, Integer> numbers = new HashMap<>();
        private final List<Condition> conditions = new ArrayList<>();
        private final BitSet used = new BitSet();

        Numbering() {}

        /** A numbering that keeps the numbers of {@code earlier}, an earlier engine's conditions. */
        Numbering(List<Condition> earlier)
        {
            for (Condition condition : earlier) {
                numbers.put(condition, conditions.size());
                conditions.add(condition);
            }
        }

        /** The condition's number, or -1 when the applicability needs none (everyone). */
        int number(Applicability applicability)
        {
            return switch (applicability) {
                case Applicability.Everyone _ -> -1;
                case Applicability.EveryoneExcept except -> number(except.condition());
                case Applicability.EveryoneWho who -> number(who.condition());
            };
        }

        /** The condition's number, or -1 when the audience is not a condition. */
        int number(Audience audience)
        {
            return audience instanceof Audience.UsersMatching matching ? number(matching.condition()) : -1;
        }

        private int number(Condition condition)
        {
            int number = numbers.computeIfAbsent(condition, added -> {
                conditions.add(added);
                return conditions.size() - 1;
            });
            used.set(number);
            return number;
        }

        /** How many of the numbered conditions the policies numbered since this numbering was made asked for. */
        int used()
        {
            return used.cardinality();
        }

        /** How many of the numbered conditions no policy numbered since this numbering was made asked for. */
        int unused()
        {
            return conditions.size() - used();
        }

        List<Condition> conditions()
        {
            return List.copyOf(conditions);
        }
    }
}
