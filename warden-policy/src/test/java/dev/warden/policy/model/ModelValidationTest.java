package dev.warden.policy.model;

import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.MaskMethod;
import dev.warden.policy.policies.RowRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelValidationTest
{
    private static final RemoteLocation LOCATION = new RemoteLocation("Trino", "tpch", "tiny", "orders");
    private static final String SALT = "0123456789abcdef";

    @Test
    void tagsAreHierarchical()
    {
        Tag email = Tag.of("PII.Email");
        assertThat(email.depth()).isEqualTo(2);
        assertThat(email.isWithin(Tag.of("PII"))).isTrue();
        assertThat(email.isWithin(email)).isTrue();
        assertThat(Tag.of("PII").isWithin(email)).isFalse();
        assertThat(Tag.of("PIIX").isWithin(Tag.of("PII"))).isFalse();
        assertThat(Tag.of("A.B.C").selfAndAncestors()).containsExactly(Tag.of("A.B.C"), Tag.of("A.B"), Tag.of("A"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"PII.", ".PII", "PII..Email", "PII.Em@il", "' '"})
    void malformedTagsAreRefused(String path)
    {
        assertThatThrownBy(() -> Tag.of(path))
                .isInstanceOfSatisfying(InvalidModelException.class, e -> assertThat(e.field()).isEqualTo("tag"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "varchar|varchar",
            "VARCHAR(10)|varchar(10)",
            "character varying(5)|varchar(5)",
            "text|varchar",
            "int|integer",
            "int8|bigint",
            "numeric(10, 2)|decimal(10,2)",
            "decimal|decimal(38,0)",
            "double precision|double",
            "float8|double",
            "bool|boolean",
            "timestamp(3)|timestamp(3)",
            "timestamp with time zone|timestamp with time zone",
            "timestamptz|timestamp with time zone",
            "bytea|varbinary",
            "array(varchar)|array(varchar)",
            "json|json"})
    void typesAreNormalised(String written, String canonical)
    {
        assertThat(SqlType.parse(written).toString()).isEqualTo(canonical);
    }

    @Test
    void unknownTypesAreKeptAsWritten()
    {
        SqlType type = SqlType.parse("geometry");
        assertThat(type.family()).isEqualTo(SqlType.Family.OTHER);
        assertThat(type.toString()).isEqualTo("geometry");
        assertThat(new MaskMethod.Nullify().refusalFor(type)).isEmpty();
        assertThat(new MaskMethod.KeyedHash().refusalFor(type)).isPresent();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"integer(5)", "decimal(2,5)", "text(10)", "boolean(1)", "varchar(99999999999)"})
    void typesWithWrongParametersAreRefused(String written)
    {
        assertThatThrownBy(() -> SqlType.parse(written))
                .isInstanceOfSatisfying(InvalidModelException.class, e -> assertThat(e.field()).isEqualTo("type"));
    }

    @Test
    void namesRefuseControlCharactersAndNulNamesTheField()
    {
        assertThatThrownBy(() -> new Group("a\nb", Map.of()))
                .hasMessage("name: must not contain control characters (found U+000A at position 1)");
        assertThatThrownBy(() -> new Group("g", Map.of("region", Set.of("E\0U"))))
                .hasMessage("attributes.region[0]: must not contain the NUL character");
        assertThatThrownBy(() -> new Group(" ", Map.of())).hasMessage("name: must not be blank");
        assertThatThrownBy(() -> new Group("x".repeat(256), Map.of())).hasMessage("name: is longer than 255 characters");
    }

    @Test
    void attributeValuesMayHoldAnythingButNul()
    {
        Group group = new Group("g", Map.of("note", Set.of("it's \"quoted\" -- ; /* */ \\ \n ünïcødé")));
        assertThat(group.attributes().get("note")).containsExactly("it's \"quoted\" -- ; /* */ \\ \n ünïcødé");
    }

    @Test
    void dataSourceChecksItsColumnsAndEventTime()
    {
        assertThatThrownBy(() -> dataSource(List.of(), Optional.empty()))
                .hasMessage("columns: a data source needs at least one column");
        assertThatThrownBy(() -> dataSource(List.of(Column.of("a", "bigint"), Column.of("a", "varchar")), Optional.empty()))
                .hasMessage("columns[1].name: column 'a' appears twice");
        assertThatThrownBy(() -> dataSource(List.of(Column.of("a", "bigint")), Optional.of("b")))
                .hasMessage("eventTimeColumn: names column 'b', which this data source does not have");
        assertThatThrownBy(() -> dataSource(List.of(Column.of("a", "bigint")), Optional.of("a")))
                .hasMessage("eventTimeColumn: column 'a' is bigint; an event time must be a date or timestamp");
        assertThatThrownBy(() -> new DataSource("ds", "ds", LOCATION, ObjectType.TABLE, List.of(Column.of("a", "bigint")), new TreeSet<>(), new TreeSet<>(), Optional.empty(), "short"))
                .hasMessage("maskingSalt: must be at least 16 characters");
        assertThat(LOCATION.technology()).isEqualTo("trino");
    }

    @Test
    void policyPartsRefuseBadValuesNamingTheField()
    {
        assertThatThrownBy(() -> new MaskMethod.RevealFirst(0)).hasMessage("count: must be positive, was 0");
        assertThatThrownBy(() -> new MaskMethod.RoundToBucket(new BigDecimal("-5"))).hasMessage("bucketSize: must be positive, was -5");
        assertThatThrownBy(() -> new MaskMethod.RegexReplace("(", "x")).hasMessageStartingWith("regex: '(' is not a valid regular expression");
        assertThatThrownBy(() -> ColumnSelector.ByNamePattern.of("[")).hasMessageStartingWith("columnPattern: '[' is not a valid regular expression");
        assertThatThrownBy(() -> new RowRule.Minimize(100, List.of())).hasMessage("percent: must be between 1 and 99, was 100");
        assertThatThrownBy(() -> new ColumnSelector.ByName(new TreeSet<>())).hasMessage("columns: name at least one column");
    }

    @Test
    void columnNamePatternsMatchWholeNamesIgnoringCase()
    {
        ColumnSelector selector = ColumnSelector.ByNamePattern.of(".*_ssn");
        assertThat(selector.specificity(Column.of("customer_SSN", "varchar"))).isEqualTo(OptionalInt.of(ColumnSelector.PATTERN_SPECIFICITY));
        assertThat(selector.specificity(Column.of("ssn_hash", "varchar"))).isEmpty();
    }

    private static DataSource dataSource(List<Column> columns, Optional<String> eventTime)
    {
        return new DataSource("ds", "ds", LOCATION, ObjectType.TABLE, columns, new TreeSet<>(), new TreeSet<>(), eventTime, SALT);
    }
}
