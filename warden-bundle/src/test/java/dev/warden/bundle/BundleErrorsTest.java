package dev.warden.bundle;

import dev.warden.bundle.BundleLoader.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BundleErrorsTest
{
    private static final String CATALOG = """
            tags: [PII.Email, Finance]
            users:
              - {name: alice, groups: [analysts]}
            groups:
              - name: analysts
            dataSources:
              - id: tpch.customer
                location: {technology: trino, catalog: tpch, schema: tiny, table: customer}
                maskingSalt: "0123456789abcdef"
                columns:
                  - {name: custkey, type: bigint}
                  - {name: region, type: varchar(10)}
                  - {name: email, type: varchar(50), tags: [PII.Email]}
            """;

    private static List<BundleError> errors(SourceFile... files)
    {
        try {
            BundleLoader.load("bundle", List.of(files));
        }
        catch (BundleException e) {
            return e.errors();
        }
        throw new AssertionError("expected the bundle to be refused");
    }

    private static SourceFile file(String name, String text)
    {
        return new SourceFile(name, text);
    }

    @Test
    void unknownKeyNamesTheKeysExpected()
    {
        List<BundleError> errors = errors(file("a.yaml", """
                dataSources:
                  - id: tpch.orders
                    location: {technology: trino, catalog: tpch, schema: tiny, table: orders}
                    maskingSalt: "0123456789abcdef"
                    colums:
                      - {name: orderkey, type: bigint}
                """));
        assertThat(errors).extracting(Object::toString).contains(
                "a.yaml:5:5: dataSources[0].colums: unknown key 'colums'; expected one of: id, name, location, objectType, tags, owners, eventTimeColumn, maskingSalt, columns");
        assertThat(errors).extracting(Object::toString).contains("a.yaml:2:5: dataSources[0].columns: is required");
    }

    @Test
    void unknownTopLevelKey()
    {
        assertThat(errors(file("a.yaml", "polices: []\n"))).extracting(Object::toString)
                .containsExactly("a.yaml:1:1: polices: unknown key 'polices'; expected one of: tags, purposes, groups, users, projects, dataSources, accessGrantMapping, definerViewOwners, approvals, policies, expectations");
    }

    @Test
    void aDefinerViewOwnerMustBeAUser()
    {
        assertThat(errors(file("a.yaml", "users: [{name: alice}]\ndefinerViewOwners: [alice, mallory]\n"))).extracting(Object::toString)
                .containsExactly("a.yaml:2:28: definerViewOwners[1]: names user 'mallory', who does not exist");
    }

    @Test
    void modelErrorPointsAtTheFieldItNames()
    {
        List<BundleError> errors = errors(file("a.yaml", """
                dataSources:
                  - id: tpch.orders
                    location: {technology: trino, catalog: tpch, schema: tiny, table: orders}
                    maskingSalt: "too short"
                    columns:
                      - {name: orderkey, type: bigint}
                      - {name: price, type: "decimal(2, 5)"}
                """));
        assertThat(errors).extracting(Object::toString)
                .containsExactly("a.yaml:7:29: dataSources[0].columns[1].type: 'decimal(2, 5)': scale is larger than precision");
    }

    @Test
    void modelErrorOnTheWholeEntity()
    {
        List<BundleError> errors = errors(file("a.yaml", """
                dataSources:
                  - id: tpch.orders
                    location: {technology: trino, catalog: tpch, schema: tiny, table: orders}
                    maskingSalt: "too short"
                    columns:
                      - {name: orderkey, type: bigint}
                """));
        assertThat(errors).extracting(Object::toString)
                .containsExactly("a.yaml:4:18: dataSources[0].maskingSalt: must be at least 16 characters");
    }

    @Test
    void unknownReferenceIsReportedAtTheName()
    {
        List<BundleError> errors = errors(file("catalog.yaml", CATALOG), file("policies.yaml", """
                policies:
                  - id: read
                    type: subscription
                    access: READ
                    on: {dataSources: [tpch.customer, tpch.nowhere]}
                    who: {group: analytics}
                """));
        assertThat(errors).extracting(Object::toString).containsExactly(
                "policies.yaml:5:39: policies[0].on.dataSources[1]: names data source 'tpch.nowhere', which does not exist",
                "policies.yaml:6:18: policies[0].who.group: names group 'analytics', which does not exist");
    }

    @Test
    void badCustomSqlGivesTheParserMessageAtItsPosition()
    {
        List<BundleError> errors = errors(file("catalog.yaml", CATALOG), file("rows.yaml", """
                policies:
                  - id: eu-rows
                    type: row
                    on: {dataSources: [tpch.customer]}
                    rows: {where: "region = "}
                """));
        assertThat(errors).hasSize(1);
        BundleError error = errors.getFirst();
        assertThat(error.file()).isEqualTo("rows.yaml");
        assertThat(error.line()).isEqualTo(5);
        // The SQL starts after the quote at column 20; the parser stops at its 10th character, the end.
        assertThat(error.column()).isEqualTo(20 + 9);
        assertThat(error.field()).isEqualTo("policies[0].rows.where");
        assertThat(error.message()).startsWith("invalid SQL: line 1:10: mismatched input '<EOF>'");
    }

    @Test
    void customSqlNamingAMissingColumn()
    {
        List<BundleError> errors = errors(file("catalog.yaml", CATALOG), file("rows.yaml", """
                policies:
                  - id: eu-rows
                    type: row
                    on: {dataSources: [tpch.customer]}
                    rows: {where: "regoin = 'EU'"}
                """));
        assertThat(errors).extracting(Object::toString)
                .containsExactly("rows.yaml:5:19: policies[0].rows.where: names column 'regoin', which data source 'tpch.customer' does not have");
    }

    @Test
    void maskThatCannotApplyToTheColumnType()
    {
        List<BundleError> errors = errors(file("catalog.yaml", CATALOG), file("masks.yaml", """
                policies:
                  - id: round-key
                    type: masking
                    on: {dataSources: [tpch.customer]}
                    columns: {named: [region]}
                    mask: {round: 10}
                """));
        assertThat(errors).extracting(Object::toString).containsExactly(
                "masks.yaml:6:11: policies[0].mask: cannot mask column 'region' of data source 'tpch.customer': rounding to a bucket applies to numbers, and the column is varchar(10)");
    }

    @Test
    void everyErrorInEveryFileAtOnceSortedByFileAndLine()
    {
        List<BundleError> errors = errors(
                file("b.yaml", """
                        policies:
                          - id: p1
                            type: masking
                            on: all
                            columns: {tagged: [PII]}
                            mask: {truncateTo: fortnight}
                          - id: p2
                            type: sometimes
                        """),
                file("a.yaml", CATALOG + """
                        purposes:
                          - name: ""
                        approvals:
                          - {user: alice, dataSource: tpch.customer, access: READ, when: now}
                        """));
        assertThat(errors).extracting(Object::toString).containsExactly(
                "a.yaml:15:11: purposes[0].name: must not be blank",
                "a.yaml:17:60: approvals[0].when: unknown key 'when'; expected one of: user, dataSource, access",
                "b.yaml:6:24: policies[0].mask.truncateTo: unknown value 'fortnight'; expected one of: minute, hour, day, week, month, quarter, year",
                "b.yaml:8:11: policies[1].type: unknown policy type 'sometimes'; expected one of: subscription, masking, row");
    }

    @Test
    void duplicateIdsPointAtTheSecondDefinition()
    {
        List<BundleError> errors = errors(file("a.yaml", CATALOG), file("b.yaml", """
                groups:
                  - name: analysts
                """));
        assertThat(errors).extracting(Object::toString)
                .containsExactly("b.yaml:2:5: groups[0]: 'analysts' is defined more than once (first at a.yaml:5:5)");
    }

    @Test
    void invalidYamlSyntax()
    {
        List<BundleError> errors = errors(file("a.yaml", "users:\n  - {name: alice\n"), file("b.yaml", "tags: [x"));
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0).file()).isEqualTo("a.yaml");
        assertThat(errors.get(0).line()).isGreaterThanOrEqualTo(2);
        assertThat(errors.get(0).message()).startsWith("invalid YAML");
        assertThat(errors.get(1).file()).isEqualTo("b.yaml");
    }

    @Test
    void expectationsReferringToUnknownThings()
    {
        List<BundleError> errors = errors(file("a.yaml", CATALOG + """
                expectations:
                  - {user: alice, dataSource: tpch.customer, masked: [emial], rows: {given: [{custkey: x}], visible: []}}
                  - {user: zoe, dataSource: tpch.nowhere}
                """));
        assertThat(errors).extracting(Object::toString).containsExactly(
                "a.yaml:15:55: expectations[0].masked[0]: names column 'emial', which data source 'tpch.customer' does not have",
                "a.yaml:15:88: expectations[0].rows.given[0].custkey: 'x' is not a bigint value",
                "a.yaml:16:12: expectations[1].user: names user 'zoe', who does not exist",
                "a.yaml:16:29: expectations[1].dataSource: names data source 'tpch.nowhere', which does not exist");
    }

    @Test
    void loadsADirectoryRecursivelyInPathOrder(@TempDir Path directory)
            throws IOException, BundleException
    {
        Files.writeString(directory.resolve("catalog.yaml"), CATALOG);
        Files.createDirectories(directory.resolve("policies"));
        Files.writeString(directory.resolve("policies/b.yml"), """
                policies:
                  - {id: second, type: subscription, access: READ, on: all, who: anyone}
                """);
        Files.writeString(directory.resolve("policies/a.yaml"), """
                policies:
                  - {id: first, type: subscription, access: READ, on: all, who: anyone}
                  - {id: explicit, type: subscription, access: READ, on: all, who: anyone, sequence: 100}
                """);
        Files.writeString(directory.resolve("notes.txt"), "not yaml");
        Bundle bundle = BundleLoader.load(directory);
        assertThat(bundle.state().policies().get("first").sequence()).isEqualTo(1);
        assertThat(bundle.state().policies().get("explicit").sequence()).isEqualTo(100);
        assertThat(bundle.state().policies().get("second").sequence()).isEqualTo(3);

        Files.writeString(directory.resolve("policies/c.yaml"), "policies: [{id: broken}]\n");
        assertThatThrownBy(() -> BundleLoader.load(directory))
                .isInstanceOfSatisfying(BundleException.class, e -> assertThat(e.errors()).extracting(Object::toString)
                        .containsExactly(directory.resolve("policies/c.yaml") + ":1:12: policies[0].type: is required; one of: subscription, masking, row"));
    }
}
