package dev.warden.policy.sql;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.PersonNode;
import dev.warden.policy.expr.SqlFunction;
import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.InvalidModelException;
import dev.warden.policy.model.SqlType;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.policies.MaskMethod;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static dev.warden.policy.expr.Expressions.column;
import static dev.warden.policy.expr.Expressions.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SQL each dialect gets where the engines differ; that it runs and agrees is shown in {@link PoliciesOnRealEnginesTest}. */
class SqlRendererTest
{
    private static final UserContext ALICE = new UserContext("alice", new TreeSet<>(Set.of("hr")), Map.of(), Optional.empty(), new TreeSet<>());
    private static final SqlRenderer TRINO = SqlRenderer.forUser(SqlDialect.TRINO, ALICE);
    private static final SqlRenderer POSTGRES = SqlRenderer.forUser(SqlDialect.POSTGRES, ALICE);

    @Test
    void likeHasNoDefaultEscapeInEitherDialect()
    {
        Expression like = new Expression.Like(column("name"), string("a\\_%"), Optional.empty(), false);
        assertThat(TRINO.render(like)).isEqualTo("(\"name\" LIKE 'a\\_%')");
        assertThat(POSTGRES.render(like)).isEqualTo("(\"name\" LIKE E'a\\\\_%' ESCAPE '')");
    }

    @Test
    void concatIsNullOnAnyNullInBothDialects()
    {
        Expression concat = new Expression.Call(SqlFunction.CONCAT, List.of(column("a"), new Expression.LongLiteral(1)));
        assertThat(TRINO.render(concat)).isEqualTo("(CAST(\"a\" AS varchar) || CAST(1 AS varchar))");
        assertThat(POSTGRES.render(concat)).isEqualTo("(CAST(\"a\" AS varchar) || CAST(1 AS varchar))");
    }

    @Test
    void regularExpressionsAreTranslatedForPostgres()
    {
        Expression replace = new Expression.Call(SqlFunction.REGEXP_REPLACE, List.of(column("c"), string("(\\w+)\\b[\\b]"), string("$1\\")));
        assertThat(TRINO.render(replace)).isEqualTo("regexp_replace(\"c\", '(\\w+)\\b[\\b]', '$1\\')");
        assertThat(POSTGRES.render(replace)).isEqualTo("regexp_replace(\"c\", E'(\\\\w+)\\\\y[\\\\b]', E'\\\\1\\\\\\\\', 'g')");
        assertThat(POSTGRES.render(new Expression.Call(SqlFunction.REGEXP_LIKE, List.of(column("c"), string("^a\\B"))))).isEqualTo("(\"c\" ~ E'^a\\\\Y')");
    }

    @Test
    void numbersKeepTheirTypeAndSign()
    {
        assertThat(TRINO.render(new Expression.LongLiteral(Long.MIN_VALUE))).isEqualTo("(-9223372036854775807 - 1)");
        assertThat(TRINO.render(new Expression.LongLiteral(-3))).isEqualTo("(-3)");
        assertThat(TRINO.render(new Expression.DecimalLiteral(new java.math.BigDecimal("-1.50")))).isEqualTo("DECIMAL '-1.50'");
        assertThat(POSTGRES.render(new Expression.DecimalLiteral(new java.math.BigDecimal("-1.50")))).isEqualTo("(-1.50)");
        assertThat(TRINO.render(new Expression.DoubleLiteral(1e300))).isEqualTo("DOUBLE '1.0E300'");
        assertThat(POSTGRES.render(new Expression.Negate(new Expression.LongLiteral(-3)))).isEqualTo("(- (-3))");
    }

    @Test
    void typesAreSpelledPerDialect()
    {
        assertThat(POSTGRES.renderType(SqlType.parse("tinyint"))).isEqualTo("smallint");
        assertThat(POSTGRES.renderType(SqlType.parse("double"))).isEqualTo("double precision");
        assertThat(POSTGRES.renderType(SqlType.parse("decimal(12,2)"))).isEqualTo("numeric(12,2)");
        assertThat(POSTGRES.renderType(SqlType.parse("varbinary"))).isEqualTo("bytea");
        assertThat(TRINO.renderType(SqlType.parse("timestamp(3) with time zone"))).isEqualTo("timestamp(3) with time zone");
        assertThat(TRINO.renderType(SqlType.parse("map(varchar, array(bigint))"))).isEqualTo("map(varchar, array(bigint))");
        assertThatThrownBy(() -> TRINO.renderType(SqlType.parse("int) OR (TRUE")))
                .hasMessage("type 'int) OR (TRUE' cannot be written into SQL safely");
        assertThatThrownBy(() -> TRINO.renderType(SqlType.parse("int /* x */")))
                .hasMessage("type 'int /* x */' cannot be written into SQL safely");
    }

    @Test
    void timeWindowsUseEachEnginesIntervals()
    {
        assertThat(TRINO.render(new Expression.TimeAgo(2, TimeUnit.WEEK))).isEqualTo("(current_timestamp - INTERVAL '14' DAY)");
        assertThat(TRINO.render(new Expression.TimeAgo(1, TimeUnit.QUARTER))).isEqualTo("(current_timestamp - INTERVAL '3' MONTH)");
        assertThat(POSTGRES.render(new Expression.TimeAgo(2, TimeUnit.WEEK))).isEqualTo("(current_timestamp - INTERVAL '2 weeks')");
        assertThat(POSTGRES.render(new Expression.TimeAgo(1, TimeUnit.QUARTER))).isEqualTo("(current_timestamp - INTERVAL '3 months')");
    }

    @Test
    void personNodesBecomeTheUsersLiterals()
    {
        assertThat(TRINO.render(new PersonNode.UserName())).isEqualTo("'alice'");
        assertThat(TRINO.render(new PersonNode.ProjectName())).isEqualTo("CAST(NULL AS varchar)");
        assertThat(TRINO.render(new PersonNode.SetContains(new PersonNode.Groups(), column("team")))).isEqualTo("(CAST(\"team\" AS varchar) IN ('hr'))");
        assertThat(TRINO.render(new PersonNode.SetContains(new PersonNode.Purposes(), column("team")))).isEqualTo("FALSE");
    }

    @Test
    void saltedHashesGoThroughTheEnforcementPointsFunctionWithTheSaltOutOfTheSql()
    {
        SqlRenderer sealing = TRINO.withSaltedSha256(new SqlRenderer.SaltedSha256("salted_sha256", salt -> "'<" + salt.length() + " characters>'"));
        Expression hash = new Expression.Sha256Hex(column("name"), "customer-salt-0123456789");
        assertThat(TRINO.render(hash)).isEqualTo("lower(to_hex(sha256(to_utf8('customer-salt-0123456789' || CAST(\"name\" AS varchar)))))");
        assertThat(sealing.render(hash)).isEqualTo("lower(to_hex(salted_sha256(CAST(\"name\" AS varchar), '<24 characters>')))");

        Expression bucket = new Expression.HashBucket(List.of(column("a"), column("b")), "supplier-salt-0123456789", 100);
        assertThat(TRINO.render(bucket)).isEqualTo("(from_base(to_hex(substr(sha256(to_utf8('supplier-salt-0123456789' || "
                + "coalesce(CAST(\"a\" AS varchar), '') || '|' || coalesce(CAST(\"b\" AS varchar), ''))), 1, 4)), 16) % 100)");
        assertThat(sealing.render(bucket)).isEqualTo("(from_base(to_hex(substr(salted_sha256("
                + "coalesce(CAST(\"a\" AS varchar), '') || '|' || coalesce(CAST(\"b\" AS varchar), ''), '<24 characters>'), 1, 4)), 16) % 100)");
    }

    @Test
    void regexMasksRefuseSyntaxPostgresLacks()
    {
        assertThat(new MaskMethod.RegexReplace("\\++", "x").regex()).isEqualTo("\\++");
        assertThatThrownBy(() -> new MaskMethod.RegexReplace("(?<digits>\\d+)", "x"))
                .isInstanceOf(InvalidModelException.class)
                .hasMessage("regex: '(?<digits>\\d+)' uses '(?<d', which not every engine Warden enforces on supports");
        assertThatThrownBy(() -> new MaskMethod.RegexReplace("a*+", "x")).hasMessageContaining("uses '*+'");
        assertThatThrownBy(() -> new MaskMethod.RegexReplace("\\p{L}", "x")).hasMessageContaining("uses '\\p'");
    }
}
