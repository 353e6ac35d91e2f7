package dev.warden.bundle.expectations;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expressions;
import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.policies.CustomSql;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpressionEvaluatorTest
{
    private static final UserContext ALICE = new UserContext("alice", new TreeSet<>(Set.of("analysts")), Map.of("region", Set.of("EU")),
            Optional.of("fraud"), new TreeSet<>(Set.of("Fraud Detection")));
    private static final ExpressionEvaluator EVALUATOR = new ExpressionEvaluator(ALICE, LocalDateTime.of(2025, 6, 15, 12, 0));

    private static Object eval(String sql, Object... keysAndValues)
    {
        Map<String, Object> row = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return EVALUATOR.evaluate(CustomSql.parse(sql).condition(), row);
    }

    @Test
    void threeValuedLogic()
    {
        assertThat(eval("region = 'EU'", "region", null)).isNull();
        assertThat(eval("region = 'EU' OR TRUE", "region", null)).isEqualTo(true);
        assertThat(eval("region = 'EU' AND FALSE", "region", null)).isEqualTo(false);
        assertThat(eval("region = 'EU' AND TRUE", "region", null)).isNull();
        assertThat(eval("NOT (region = 'EU')", "region", null)).isNull();
        assertThat(eval("region IS NULL", "region", null)).isEqualTo(true);
        assertThat(eval("region IN ('US', NULL)", "region", "EU")).isNull();
        assertThat(eval("region IN ('EU', NULL)", "region", "EU")).isEqualTo(true);
        assertThat(eval("region NOT IN ('US')", "region", "EU")).isEqualTo(true);
        assertThat(eval("region IS DISTINCT FROM NULL", "region", "EU")).isEqualTo(true);
        assertThat(eval("coalesce(region, 'none') = 'none'", "region", null)).isEqualTo(true);
        assertThat(EVALUATOR.passes(CustomSql.parse("region = 'EU'").condition(), new HashMap<>())).isFalse();
    }

    @Test
    void operatorsAndFunctions()
    {
        assertThat(eval("amount BETWEEN 10 AND 20", "amount", 15L)).isEqualTo(true);
        assertThat(eval("amount * 2 > 25.5", "amount", 13L)).isEqualTo(true);
        assertThat(eval("price > 10", "price", 10.5)).isEqualTo(true);
        assertThat(eval("7 / 2 = 3")).isEqualTo(true);
        assertThat(eval("name LIKE 'Cl_rk#%'", "name", "Clerk#000000951")).isEqualTo(true);
        assertThat(eval("name NOT LIKE '%x%'", "name", "Clerk")).isEqualTo(true);
        assertThat(eval("lower(substr(name, 1, 2)) = 'cl'", "name", "Clerk")).isEqualTo(true);
        assertThat(eval("regexp_like(phone, '^[0-9]+-')", "phone", "25-989")).isEqualTo(true);
        assertThat(eval("orderdate >= DATE '2024-01-01'", "orderdate", LocalDate.of(2024, 2, 1))).isEqualTo(true);
        assertThat(eval("year(orderdate) = 2024", "orderdate", LocalDate.of(2024, 2, 1))).isEqualTo(true);
        assertThat(eval("CASE WHEN amount > 1 THEN 'big' ELSE 'small' END = 'small'", "amount", 1L)).isEqualTo(true);
    }

    @Test
    void personFunctionsUseTheUserContext()
    {
        assertThat(eval("current_user = 'alice'")).isEqualTo(true);
        assertThat(eval("user_in_group('analysts') AND NOT user_in_group('finance')")).isEqualTo(true);
        assertThat(eval("user_attribute_contains('region', region)", "region", "EU")).isEqualTo(true);
        assertThat(eval("user_attribute_contains('region', region)", "region", null)).isNull();
        assertThat(eval("user_has_purpose('Fraud Detection')")).isEqualTo(true);
        assertThat(eval("current_project() = 'fraud'")).isEqualTo(true);
    }

    @Test
    void timeAndHashNodesMatchTheRenderedSql()
    {
        Expression recent = new Expression.Comparison(Expression.ComparisonOperator.GREATER_THAN_OR_EQUAL,
                Expressions.column("day"), new Expression.TimeAgo(1, TimeUnit.QUARTER));
        // Now is 2025-06-15 12:00; a date compares as its midnight, as in SQL.
        assertThat(EVALUATOR.evaluate(recent, Map.of("day", LocalDate.of(2025, 3, 16)))).isEqualTo(true);
        assertThat(EVALUATOR.evaluate(recent, Map.of("day", LocalDate.of(2025, 3, 15)))).isEqualTo(false);
        // Bucket of SHA-256('supplier-salt-8e6c4a2b0f' || '5'): first four bytes, unsigned, mod 100, computed independently with Python's hashlib.
        Expression bucket = new Expression.HashBucket(List.of(Expressions.column("suppkey")), "supplier-salt-8e6c4a2b0f", 100);
        assertThat(EVALUATOR.evaluate(bucket, Map.of("suppkey", 5L))).isEqualTo(1L);
        assertThat(EVALUATOR.evaluate(bucket, Map.of("suppkey", 1L))).isEqualTo(93L);
        assertThat(EVALUATOR.evaluate(new Expression.DateTrunc(TimeUnit.WEEK, Expressions.column("day"), dev.warden.policy.model.SqlType.DATE),
                Map.of("day", LocalDate.of(2025, 6, 15)))).isEqualTo(LocalDate.of(2025, 6, 9));
    }

    @Test
    void refusesWhatItCannotEvaluateFaithfully()
    {
        Expression bucket = new Expression.HashBucket(List.of(Expressions.column("price")), "salt-salt-salt-salt", 100);
        assertThatThrownBy(() -> EVALUATOR.evaluate(bucket, Map.of("price", 1.5)))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("floating-point");
        assertThatThrownBy(() -> eval("region = 1", "region", "EU"))
                .hasMessage("cannot compare varchar with bigint");
    }
}
