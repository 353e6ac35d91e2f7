package dev.warden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class WardenCommandTest
{
    private static final String RETAIL = Path.of("..", "examples", "retail").toString();

    @Test
    void validateCountsWhatTheBundleHolds()
    {
        CommandRun run = CommandRun.of("validate", RETAIL);
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("OK: 6 data sources, 23 policies, 12 expectations" + System.lineSeparator());
    }

    @Test
    void validatePrintsEveryError(@TempDir Path directory)
            throws IOException
    {
        Files.writeString(directory.resolve("a.yaml"), """
                policies:
                  - {id: p, type: subscription, access: READ, on: {dataSources: [nowhere]}, who: anyone, strenght: grant}
                """);
        CommandRun run = CommandRun.of("validate", directory.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        String file = directory.resolve("a.yaml").toString();
        assertThat(run.err()).contains(
                file + ":2:90: policies[0].strenght: unknown key 'strenght'; expected one of: id, name, type, sequence, on, access, strength, who",
                file + ":2:66: policies[0].on.dataSources[0]: names data source 'nowhere', which does not exist",
                "2 errors");
    }

    @Test
    void explainShowsAccessMasksFilterAndReasons()
    {
        CommandRun run = CommandRun.of("explain", "--policies", RETAIL, "--user", "alice", "--data-source", "tpch.customer");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("Access: READ")
                .containsPattern("custkey +shown")
                .containsPattern("address +masked  CAST\\(NULL AS varchar\\(40\\)\\)")
                .contains("(CAST(\"mktsegment\" AS varchar) IN ('AUTOMOBILE', 'BUILDING'))")
                .containsPattern("comments-by-pattern +Any other comment column is hidden +masking +OVERRIDDEN")
                .containsPattern("read-sales-data .* APPLIED +grants READ");
    }

    @Test
    void explainAsJsonInPostgresDialect()
            throws IOException
    {
        CommandRun run = CommandRun.of("explain", "--policies", RETAIL, "--user", "alice", "--data-source", "tpch.orders", "--project", "fraud", "--dialect", "postgres", "--json");
        assertThat(run.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("user").asText()).isEqualTo("alice");
        assertThat(json.get("project").asText()).isEqualTo("fraud");
        assertThat(json.get("dialect").asText()).isEqualTo("postgres");
        assertThat(json.get("access").toString()).isEqualTo("[\"READ\"]");
        assertThat(json.get("columns").get(0).get("name").asText()).isEqualTo("orderkey");
        assertThat(json.get("columns").get(0).get("masked").asBoolean()).isFalse();
        assertThat(json.get("columns").get(3).get("mask").asText()).contains("CASE WHEN");
        assertThat(json.get("rowFilter").asText()).contains("\"orderstatus\" IN (E'O', E'F')");
        assertThat(json.get("reasons").findValuesAsText("outcome")).contains("APPLIED", "NOT_IN_FORCE");
    }

    @Test
    void explainRefusesUnknownUsersAndDataSources()
    {
        CommandRun user = CommandRun.of("explain", "--policies", RETAIL, "--user", "zoe", "--data-source", "tpch.orders");
        assertThat(user.exitCode()).isEqualTo(2);
        assertThat(user.err()).contains("error: no user named 'zoe'");

        CommandRun dataSource = CommandRun.of("explain", "--policies", RETAIL, "--user", "alice", "--data-source", "tpch.nowhere");
        assertThat(dataSource.exitCode()).isEqualTo(2);
        assertThat(dataSource.err()).contains("error: no data source with id 'tpch.nowhere'");

        CommandRun project = CommandRun.of("explain", "--policies", RETAIL, "--user", "dave", "--data-source", "tpch.orders", "--project", "fraud");
        assertThat(project.exitCode()).isEqualTo(2);
        assertThat(project.err()).contains("error: user 'dave' is not a member of project 'fraud'");
    }

    @Test
    void testPassesOnTheExample()
    {
        CommandRun run = CommandRun.of("test", RETAIL);
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("PASS ").doesNotContain("FAIL ").contains("12 passed, 0 failed");
    }

    @Test
    void testShowsADiffForEveryFailure(@TempDir Path directory)
            throws IOException
    {
        Files.writeString(directory.resolve("catalog.yaml"), """
                users: [{name: alice}]
                dataSources:
                  - id: t
                    location: {technology: trino, catalog: c, schema: s, table: t}
                    maskingSalt: "0123456789abcdef"
                    columns: [{name: id, type: bigint}, {name: region, type: varchar(2)}, {name: note, type: varchar}]
                policies:
                  - {id: read, type: subscription, access: READ, on: all, who: anyone}
                  - {id: eu, type: row, on: {dataSources: [t]}, rows: {where: "region = 'EU'"}}
                  - {id: hide, type: masking, on: all, columns: {named: [note]}, mask: nullify}
                expectations:
                  - user: alice
                    dataSource: t
                    access: [READ, WRITE]
                    masked: [id]
                    unmasked: [note]
                    rowFilter: "TRUE"
                    rows:
                      given: [{id: 1, region: EU}, {id: 2, region: US}, {id: 3, region: null}]
                      visible: [{id: 1, region: EU}, {id: 3, region: null}]
                  - {user: alice, dataSource: t, access: [READ], masked: [note]}
                """);
        CommandRun run = CommandRun.of("test", directory.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out())
                .contains("FAIL " + directory.resolve("catalog.yaml") + ":12:5 alice on t")
                .contains("    access:\n      expected: [READ, WRITE]\n      actual:   [READ]".replace("\n", System.lineSeparator()))
                .contains("columns expected masked but not masked: [id]")
                .contains("columns expected unmasked but masked:")
                .contains("note = CAST(NULL AS varchar)")
                .contains("expected: TRUE")
                .contains("actual:   (\"region\" = 'EU')")
                .contains("expected visible but hidden: [{id: 3, region: null}]")
                .contains("PASS " + directory.resolve("catalog.yaml") + ":21:5 alice on t")
                .contains("1 passed, 1 failed");
    }

    @Test
    void bundleErrorsFailTestAndExplain(@TempDir Path directory)
            throws IOException
    {
        Files.writeString(directory.resolve("a.yaml"), "users: [{name: alice, group: [x]}]\n");
        assertThat(CommandRun.of("test", directory.toString()).exitCode()).isEqualTo(1);
        CommandRun explain = CommandRun.of("explain", "--policies", directory.toString(), "--user", "alice", "--data-source", "t");
        assertThat(explain.exitCode()).isEqualTo(1);
        assertThat(explain.err()).contains("a.yaml:1:23: users[0].group: unknown key 'group'");
    }
}
