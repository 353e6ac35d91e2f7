package dev.warden.policy.sql;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expression.Column;
import dev.warden.policy.expr.Expression.Comparison;
import dev.warden.policy.expr.Expression.ComparisonOperator;
import dev.warden.policy.expr.Expression.StringLiteral;
import dev.warden.policy.expr.PersonNode;
import dev.warden.policy.expr.SqlFunction;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.SqlType;
import dev.warden.policy.policies.CustomSql;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomSqlParserTest
{
    @Test
    void foldsUnquotedIdentifiersToLowerCaseAndKeepsQuotedOnes()
    {
        assertThat(CustomSqlParser.parseCondition("Region = 'EU'"))
                .isEqualTo(new Comparison(ComparisonOperator.EQUAL, new Column("region"), new StringLiteral("EU")));
        assertThat(CustomSqlParser.parseCondition("\"Region\" = 'EU'"))
                .isEqualTo(new Comparison(ComparisonOperator.EQUAL, new Column("Region"), new StringLiteral("EU")));
    }

    @Test
    void turnsPersonFunctionsIntoPersonNodes()
    {
        Expression parsed = CustomSqlParser.parseCondition(
                "owner = current_user OR user_in_group('hr') OR user_has_purpose(purpose) OR user_attribute_contains('region', region) OR project = current_project()");
        assertThat(parsed).isEqualTo(new Expression.Logical(Expression.LogicalOperator.OR, List.of(
                new Comparison(ComparisonOperator.EQUAL, new Column("owner"), new PersonNode.UserName()),
                new PersonNode.SetContains(new PersonNode.Groups(), new StringLiteral("hr")),
                new PersonNode.SetContains(new PersonNode.Purposes(), new Column("purpose")),
                new PersonNode.SetContains(new PersonNode.Attribute("region"), new Column("region")),
                new Comparison(ComparisonOperator.EQUAL, new Column("project"), new PersonNode.ProjectName()))));
    }

    @Test
    void acceptsTheSupportedSubset()
    {
        Expression parsed = CustomSqlParser.parseCondition("""
                lower(name) LIKE 'a%' ESCAPE '!'
                AND amount BETWEEN -5 AND 10.25
                AND day >= DATE '2024-01-31' AND ts < TIMESTAMP '2024-01-31 10:15:00'
                AND CAST(code AS varchar(3)) IN ('a', 'b')
                AND coalesce(note, '') <> '' AND nullif(a, b) IS NOT NULL
                AND CASE status WHEN 'O' THEN TRUE ELSE FALSE END
                AND NOT flag AND total * 2 > 1e3 AND x IS NULL AND y = NULL
                AND year(day) = 2024 AND current_date > day AND current_timestamp > ts""");
        assertThat(parsed).isInstanceOf(Expression.Logical.class);
        List<Expression> terms = ((Expression.Logical) parsed).terms();
        assertThat(terms).hasSize(15);
        assertThat(terms.get(0)).isEqualTo(new Expression.Like(
                new Expression.Call(SqlFunction.LOWER, List.of(new Column("name"))), new StringLiteral("a%"), Optional.of(new StringLiteral("!")), false));
        assertThat(terms.get(1)).isEqualTo(new Expression.Between(new Column("amount"),
                new Expression.LongLiteral(-5), new Expression.DecimalLiteral(new java.math.BigDecimal("10.25")), false));
        assertThat(terms.get(2)).isEqualTo(new Comparison(ComparisonOperator.GREATER_THAN_OR_EQUAL, new Column("day"), new Expression.DateLiteral(LocalDate.of(2024, 1, 31))));
        assertThat(terms.get(3)).isEqualTo(new Comparison(ComparisonOperator.LESS_THAN, new Column("ts"), new Expression.TimestampLiteral(LocalDateTime.of(2024, 1, 31, 10, 15))));
        assertThat(terms.get(4)).isEqualTo(new Expression.InList(new Expression.Cast(new Column("code"), SqlType.varchar(3)),
                List.of(new StringLiteral("a"), new StringLiteral("b")), false));
        assertThat(terms.get(9)).isEqualTo(new Comparison(ComparisonOperator.GREATER_THAN, new Expression.Arithmetic(Expression.ArithmeticOperator.MULTIPLY,
                new Column("total"), new Expression.LongLiteral(2)), new Expression.DoubleLiteral(1000)));
        assertThat(terms.get(11)).isEqualTo(new Comparison(ComparisonOperator.EQUAL, new Column("y"), new Expression.UntypedNull()));
    }

    @Test
    void refusesWhatItCannotPromiseOnEveryEngineWithThePosition()
    {
        assertRefused("region = (SELECT max(region) FROM other)", "line 1:10: a subquery is not allowed");
        assertRefused("EXISTS (SELECT 1)", "line 1:1: a subquery is not allowed");
        assertRefused("t.region = 'EU'", "line 1:1: a qualified column name is not allowed");
        assertRefused("any_match(tags, x -> x = 'a')", "function 'any_match' is not allowed");
        assertRefused("region = 'EU' AND\n  random() < 0.5", "line 2:3: function 'random' is not allowed");
        assertRefused("count(*) OVER () > 1", "aggregate and window function syntax");
        assertRefused("TRY_CAST(a AS bigint) = 1", "TRY_CAST is not supported");
        assertRefused("system.builtin.lower(a) = 'x'", "use an unqualified name");
        assertRefused("lower(a, b) = 'x'", "function 'lower' takes 1 arguments, not 2");
        assertRefused("user_attribute_contains(region, 'EU')", "must be the attribute's name as a string literal");
        assertRefused("user_in_group()", "function 'user_in_group' takes 1 arguments, not 0");
        assertRefused("a = ?", "a parameter is not allowed");
        assertRefused("d = DATE '2024-02-30'", "'2024-02-30' is not a valid date");
        assertRefused("CAST(a AS array(varchar)) IS NULL", "CAST to array(varchar) is not allowed");
    }

    @Test
    void reportsSyntaxErrorsWithLineAndColumn()
    {
        assertThatThrownBy(() -> CustomSqlParser.parseCondition("region = "))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith("sql: line 1:10: mismatched input '<EOF>'");
        assertThatThrownBy(() -> CustomSqlParser.parseCondition("region = 'EU'; DROP TABLE orders"))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("line 1:14:");
        assertThatThrownBy(() -> CustomSqlParser.parseCondition("region = 'EU' -- comment\n OR 1 = 1 /* unterminated"))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("line 2:");
    }

    @Test
    void limitsLengthAndNesting()
    {
        assertThatThrownBy(() -> CustomSqlParser.parseCondition("a = '" + "x".repeat(CustomSqlParser.MAX_LENGTH) + "'"))
                .hasMessageContaining("at most 10000 are allowed");
        String deep = "(".repeat(100) + "a = 1" + ")".repeat(100);
        assertThat(CustomSqlParser.parseCondition(deep)).isEqualTo(new Comparison(ComparisonOperator.EQUAL, new Column("a"), new Expression.LongLiteral(1)));
        String deepNot = "NOT ".repeat(100) + "a = 1";
        assertThatThrownBy(() -> CustomSqlParser.parseCondition(deepNot)).hasMessageContaining("nested more than 64 levels deep");
        assertThatThrownBy(() -> CustomSqlParser.parseCondition("   ")).hasMessage("sql: the condition is empty");
    }

    @Test
    void customSqlKnowsWhichColumnsItNames()
    {
        CustomSql sql = CustomSql.parse("Region = 'EU' AND user_attribute_contains('team', team) AND amount > 10");
        assertThat(sql.columns()).containsExactly("region", "team", "amount");
        assertThat(sql.missingColumns(dev.warden.policy.testing.TestPolicies.dataSource("t",
                List.of(dev.warden.policy.model.Column.of("region", "varchar"), dev.warden.policy.model.Column.of("amount", "bigint")))))
                .containsExactly("team");
    }

    private static void assertRefused(String sql, String message)
    {
        assertThatThrownBy(() -> CustomSqlParser.parseCondition(sql))
                .as(sql)
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((InvalidModelException) e).field()).isEqualTo("sql"));
    }
}
