package dev.warden.policy.sql;

import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.PersonNode;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.testing.TestPostgres;
import dev.warden.policy.testing.TestTrino;
import io.trino.sql.parser.SqlParser;
import io.trino.sql.tree.Identifier;
import io.trino.sql.tree.StringLiteral;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Values a user or governor controls (attribute values, group names, constants, column names) pass through every
 * renderer; whatever they hold, the SQL must parse and the value must come back as one literal or identifier,
 * intact. Trino's side is checked with Trino's own parser (and a real in-process Trino for a sample);
 * PostgreSQL's on the real server, with {@code standard_conforming_strings} both on and off.
 */
class HostileValuesTest
{
    private static final SqlParser TRINO_PARSER = new SqlParser();
    private static final SqlRenderer TRINO = SqlRenderer.forUser(SqlDialect.TRINO, user(List.of()));
    private static final SqlRenderer POSTGRES = SqlRenderer.forUser(SqlDialect.POSTGRES, user(List.of()));

    private static Connection postgres;

    @Property(tries = 1000)
    void trinoParsesAStringLiteralAsExactlyTheValue(@ForAll("hostile") String value)
    {
        io.trino.sql.tree.Expression parsed = TRINO_PARSER.createExpression(TRINO.render(new Expression.StringLiteral(value)));
        assertThat(parsed).isInstanceOf(StringLiteral.class);
        assertThat(((StringLiteral) parsed).getValue()).isEqualTo(value);
    }

    @Property(tries = 1000)
    void trinoParsesAQuotedIdentifierAsExactlyTheName(@ForAll("shortHostile") String name)
    {
        io.trino.sql.tree.Expression parsed = TRINO_PARSER.createExpression(TRINO.quoteIdentifier(name));
        assertThat(parsed).isInstanceOf(Identifier.class);
        assertThat(((Identifier) parsed).getValue()).isEqualTo(name);
    }

    @Property(tries = 1000)
    void trinoKeepsAUsersAttributeValueOneLiteralInsideAFilter(@ForAll("hostile") String value, @ForAll("hostile") String other)
    {
        SqlRenderer renderer = SqlRenderer.forUser(SqlDialect.TRINO, user(List.of(value, other)));
        Expression filter = new Expression.Logical(Expression.LogicalOperator.AND, List.of(
                new PersonNode.SetContains(new PersonNode.Attribute("region"), new Expression.Column("region")),
                new Expression.Comparison(Expression.ComparisonOperator.NOT_EQUAL, new Expression.Column("note"), new Expression.StringLiteral(other))));
        io.trino.sql.tree.Expression parsed = TRINO_PARSER.createExpression(renderer.render(filter));
        // The tree Trino sees has exactly the literals Warden meant, and nothing else.
        List<String> expected = new java.util.ArrayList<>(new TreeSet<>(List.of(value, other)));
        expected.add(other);
        assertThat(stringLiterals(parsed)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(columnReferences(parsed)).containsExactly("region", "note");
    }

    @Property(tries = 60)
    void trinoReturnsTheValueIntact(@ForAll("hostile") String value)
    {
        Object returned = TestTrino.execute("SELECT " + TRINO.render(new Expression.StringLiteral(value))).getOnlyValue();
        assertThat(returned).isEqualTo(value);
    }

    @Property(tries = 500)
    void postgresReturnsTheValueIntact(@ForAll("hostile") String value)
            throws SQLException
    {
        for (String conformingStrings : List.of("on", "off")) {
            try (Statement statement = postgres().createStatement()) {
                statement.execute("SET standard_conforming_strings = " + conformingStrings);
                try (ResultSet result = statement.executeQuery("SELECT " + POSTGRES.render(new Expression.StringLiteral(value)))) {
                    assertThat(result.next()).isTrue();
                    assertThat(result.getString(1)).as("standard_conforming_strings=" + conformingStrings).isEqualTo(value);
                }
            }
        }
    }

    @Property(tries = 300)
    void postgresMatchesAUsersValueAndNothingElse(@ForAll("hostile") String value, @ForAll("hostile") String other)
            throws SQLException
    {
        SqlRenderer renderer = SqlRenderer.forUser(SqlDialect.POSTGRES, user(List.of(value)));
        Expression matches = new PersonNode.SetContains(new PersonNode.Attribute("region"), new Expression.StringLiteral(value));
        Expression matchesOther = new PersonNode.SetContains(new PersonNode.Attribute("region"), new Expression.StringLiteral(other));
        try (Statement statement = postgres().createStatement();
                ResultSet result = statement.executeQuery("SELECT " + renderer.render(matches) + ", " + renderer.render(matchesOther))) {
            assertThat(result.next()).isTrue();
            assertThat(result.getBoolean(1)).isTrue();
            assertThat(result.getBoolean(2)).isEqualTo(other.equals(value));
        }
    }

    @Property(tries = 300)
    void postgresTakesAQuotedIdentifierAsExactlyTheName(@ForAll("shortHostile") String name)
            throws SQLException
    {
        try (Statement statement = postgres().createStatement();
                ResultSet result = statement.executeQuery("SELECT 1 AS " + POSTGRES.quoteIdentifier(name))) {
            assertThat(result.getMetaData().getColumnLabel(1)).isEqualTo(name);
        }
    }

    @Example
    void refusesNulWhichNoEngineCanHoldInText()
    {
        assertThatThrownBy(() -> new Expression.StringLiteral("a\0b")).hasMessageContaining("string literal");
        assertThatThrownBy(() -> TRINO.stringLiteral("a\0b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> POSTGRES.quoteIdentifier("a\0b")).hasMessageContaining("NUL");
    }

    @Provide
    Arbitrary<String> hostile()
    {
        Arbitrary<String> fragment = fragments();
        Arbitrary<String> ordinary = fragment.list().ofMaxSize(20).map(parts -> String.join("", parts));
        Arbitrary<String> veryLong = fragment.list().ofMinSize(2_000).ofMaxSize(6_000).map(parts -> String.join("", parts));
        return Arbitraries.frequencyOf(Tuple.of(19, ordinary), Tuple.of(1, veryLong));
    }

    /** PostgreSQL truncates identifiers to 63 bytes. */
    @Provide
    Arbitrary<String> shortHostile()
    {
        return fragments().list().ofMinSize(1).ofMaxSize(6).map(parts -> String.join("", parts))
                .filter(name -> !name.isEmpty() && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63);
    }

    private static Arbitrary<String> fragments()
    {
        return Arbitraries.oneOf(
                Arbitraries.of("'", "''", "\\", "\\'", "\\\\", "--", "/*", "*/", ";", "\"", "\"\"", "$$", "$tag$", "E'", "U&'", "\\0",
                        "\n", "\r\n", "\t", "\u0001", "\u001f", "\u007f", "é", "ß", "漢字", "😀", "\u202e", "\u2028", "\ufeff",
                        "%", "_", "?", ":name", "${x}", " OR 1=1", "'); DROP TABLE t; --", "\\x27", "&#39;"),
                Arbitraries.strings().withCharRange('\u0001', '\ud7ff').ofMaxLength(6),
                Arbitraries.strings().ascii().ofMaxLength(6).filter(s -> s.indexOf('\0') < 0));
    }

    private static UserContext user(List<String> regions)
    {
        return new UserContext("alice", new TreeSet<>(), Map.of("region", new TreeSet<>(regions)), Optional.empty(), new TreeSet<>());
    }

    private static Connection postgres()
    {
        if (postgres == null) {
            postgres = TestPostgres.connect();
        }
        return postgres;
    }

    @AfterContainer
    static void closePostgres()
            throws SQLException
    {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    private static List<String> stringLiterals(io.trino.sql.tree.Node node)
    {
        List<String> found = new java.util.ArrayList<>();
        collect(node, StringLiteral.class, literal -> found.add(literal.getValue()));
        return found;
    }

    private static List<String> columnReferences(io.trino.sql.tree.Node node)
    {
        List<String> found = new java.util.ArrayList<>();
        collect(node, Identifier.class, identifier -> found.add(identifier.getValue()));
        return found;
    }

    private static <T> void collect(io.trino.sql.tree.Node node, Class<T> type, java.util.function.Consumer<T> sink)
    {
        if (node instanceof io.trino.sql.tree.DataType) {
            return;
        }
        if (type.isInstance(node)) {
            sink.accept(type.cast(node));
        }
        node.getChildren().forEach(child -> collect(child, type, sink));
    }
}
