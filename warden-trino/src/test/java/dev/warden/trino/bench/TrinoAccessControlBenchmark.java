package dev.warden.trino.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.trino.testing.TrinoServerProcess;
import dev.warden.trino.testing.WardenServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Query latency on real Trino servers under three access controls, side by side: allow-all (none configured), Trino's
 * file-based access control with rules equivalent to the retail example's policies, and Warden with those policies.
 * A fourth server, inline, has no access control either and runs each query with the policies written into its SQL
 * by hand (every table replaced by a subquery that filters and masks it as Warden would for the user): what the
 * policies cost Trino with no access control involved. Then propagation: how long after an API change the next
 * query enforces it. bin/bench-trino runs it; the figures are in docs/benchmarks.md. Not a test that verify runs: its
 * name matches neither surefire's nor failsafe's patterns.
 *
 * System properties: bench.warmup (mixes before measuring, default 20), bench.iterations (measured mixes, default
 * 200), bench.configurations (default allow-all,inline,file,warden), bench.propagation-changes (default 50).
 */
class TrinoAccessControlBenchmark
{
    private static final Path RETAIL_EXAMPLE = Path.of("..", "examples", "retail").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> USERS = List.of("alice", "bob");
    private static final List<String> TABLES = List.of("customer", "orders", "lineitem", "nation", "region", "supplier");
    /**
     * TPC-H tiny queries over the tables both alice and bob may read. The policies mask or filter what the first,
     * second, third, fifth and sixth read for them, so their SQL differs from allow-all's; the fourth and the last
     * run the same SQL under every access control, and the last, on one registered table, isolates what deciding
     * costs.
     */
    private static final List<String> QUERIES = List.of(
            "SELECT mktsegment, count(*), sum(acctbal) FROM tpch.tiny.customer GROUP BY mktsegment ORDER BY mktsegment",
            "SELECT orderpriority, count(*), sum(totalprice) FROM tpch.tiny.orders GROUP BY orderpriority ORDER BY orderpriority",
            "SELECT n.name, count(*) FROM tpch.tiny.customer c JOIN tpch.tiny.nation n ON c.nationkey = n.nationkey GROUP BY n.name ORDER BY n.name",
            "SELECT r.name, count(*) FROM tpch.tiny.nation n JOIN tpch.tiny.region r ON n.regionkey = r.regionkey GROUP BY r.name ORDER BY r.name",
            "SELECT c.name, c.phone, o.totalprice, o.clerk FROM tpch.tiny.orders o JOIN tpch.tiny.customer c ON o.custkey = c.custkey ORDER BY o.totalprice DESC, o.orderkey LIMIT 10",
            "SELECT count(*), max(comment) FROM tpch.tiny.orders WHERE orderdate >= DATE '1995-01-01'",
            "SELECT regionkey, count(*), max(name) FROM tpch.tiny.nation GROUP BY regionkey ORDER BY regionkey");

    @TempDir
    Path directory;

    @Test
    void latencyAndPropagation()
            throws Exception
    {
        TrinoServerProcess.requireCachedServer();
        int warmup = Integer.getInteger("bench.warmup", 20);
        int iterations = Integer.getInteger("bench.iterations", 200);
        int propagationChanges = Integer.getInteger("bench.propagation-changes", 50);
        List<String> configurations = Arrays.asList(System.getProperty("bench.configurations", "allow-all,inline,file,warden").split(","));

        try (WardenServerProcess warden = WardenServerProcess.start(directory.resolve("warden-data"))) {
            warden.apply(RETAIL_EXAMPLE);
            Decisions decisions = Decisions.explain(warden);
            Map<String, TrinoServerProcess> servers = new LinkedHashMap<>();
            try {
                for (String configuration : configurations) {
                    servers.put(configuration, start(configuration, warden, decisions));
                }
                Latencies warm = new Latencies(servers.keySet());
                for (int mix = 0; mix < warmup; mix++) {
                    runMix(servers, decisions, mix, warm);
                }
                assertEquivalent(servers, decisions);

                Latencies latencies = new Latencies(servers.keySet());
                for (int mix = 0; mix < iterations; mix++) {
                    runMix(servers, decisions, mix, latencies);
                }

                String report = latencyReport(latencies, warmup, iterations);
                System.out.println(report);
                if (servers.containsKey("warden")) {
                    String propagation = propagationReport(warden, servers.get("warden"), propagationChanges);
                    System.out.println(propagation);
                    report += "\n" + propagation;
                }
                Files.writeString(Path.of("target", "trino-benchmark.md"), report);
            }
            finally {
                servers.values().forEach(TrinoServerProcess::close);
            }
        }
    }

    private TrinoServerProcess start(String configuration, WardenServerProcess warden, Decisions decisions)
            throws IOException
    {
        TrinoServerProcess.Builder builder = TrinoServerProcess.builder(directory.resolve("trino-" + configuration));
        return switch (configuration) {
            case "allow-all", "inline" -> builder.start();
            case "file" -> builder
                    .etcFile("rules.json", fileRules(decisions))
                    .accessControl("""
                            access-control.name=file
                            security.config-file=etc/rules.json
                            """)
                    .start();
            case "warden" -> builder
                    .withWardenPlugin()
                    .accessControl("""
                            access-control.name=warden
                            warden.server-uri=%s
                            warden.api-key=${ENV:WARDEN_API_KEY}
                            """.formatted(warden.uri()))
                    .environment("WARDEN_API_KEY", warden.createApiKey("trino-" + configuration, "SERVICE"))
                    .start();
            default -> throw new IllegalArgumentException("unknown configuration '" + configuration + "'; known are allow-all, inline, file and warden");
        };
    }

    /** Warden's decisions for the benchmark's users and tables, as it renders them for Trino ({@code GET /api/v1/explain?dialect=trino}). */
    private record Decisions(Map<String, Map<String, JsonNode>> byUserAndTable)
    {
        static Decisions explain(WardenServerProcess warden)
                throws IOException
        {
            Map<String, Map<String, JsonNode>> decisions = new LinkedHashMap<>();
            for (String user : USERS) {
                for (String table : TABLES) {
                    HttpResponse<String> response = warden.send("GET", "/api/v1/explain?dialect=trino&user=%s&dataSource=tpch.%s".formatted(user, table), null, warden.adminKey());
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    decisions.computeIfAbsent(user, _ -> new LinkedHashMap<>()).put(table, JSON.readTree(response.body()));
                }
            }
            return new Decisions(decisions);
        }

        JsonNode of(String user, String table)
        {
            return byUserAndTable.get(user).get(table);
        }

        /** The row filter, or empty when every row is seen. */
        static Optional<String> rowFilter(JsonNode decision)
        {
            JsonNode filter = decision.path("rowFilter");
            return filter.isNull() || filter.isMissingNode() || filter.asText().equals("TRUE") ? Optional.empty() : Optional.of(filter.asText());
        }

        /**
         * The query with every table replaced by a subquery that filters its rows and masks its columns for the user
         * as Warden would, in Trino's order: the filter sees the stored values, the masks apply to what it keeps.
         */
        String inline(String user, String query)
        {
            String inlined = query;
            for (String table : TABLES) {
                JsonNode decision = of(user, table);
                List<String> columns = new ArrayList<>();
                for (JsonNode column : decision.get("columns")) {
                    String name = '"' + column.get("name").asText() + '"';
                    columns.add(column.get("masked").asBoolean() ? column.get("mask").asText() + " AS " + name : name);
                }
                String subquery = "(SELECT %s FROM tpch.tiny.%s%s)".formatted(String.join(", ", columns), table,
                        rowFilter(decision).map(filter -> " WHERE " + filter).orElse(""));
                inlined = inlined.replaceAll("tpch\\.tiny\\.%s\\b".formatted(table), Matcher.quoteReplacement(subquery));
            }
            return inlined;
        }
    }

    /**
     * Trino's file-based rules with Warden's own decisions for the benchmark's users: each table's privileges, row
     * filter and column masks as Warden renders them for Trino, so both access controls run the same SQL. Anything
     * else (unregistered data) is open, as Warden leaves it.
     */
    private static String fileRules(Decisions decisions)
            throws IOException
    {
        ObjectNode rules = JSON.createObjectNode();
        ArrayNode tables = rules.putArray("tables");
        for (String user : USERS) {
            for (String table : TABLES) {
                JsonNode decision = decisions.of(user, table);
                ObjectNode rule = tables.addObject()
                        .put("user", user)
                        .put("catalog", "tpch")
                        .put("schema", "tiny")
                        .put("table", table);
                ArrayNode privileges = rule.putArray("privileges");
                decision.get("access").forEach(access -> {
                    if (access.asText().equals("READ")) {
                        privileges.add("SELECT");
                    }
                });
                Decisions.rowFilter(decision).ifPresent(filter -> rule.put("filter", filter));
                ArrayNode columns = rule.putArray("columns");
                for (JsonNode column : decision.get("columns")) {
                    if (column.get("masked").asBoolean()) {
                        columns.addObject().put("name", column.get("name").asText()).put("mask", column.get("mask").asText());
                    }
                }
            }
        }
        tables.addObject().putArray("privileges").add("SELECT").add("INSERT").add("DELETE").add("UPDATE").add("OWNERSHIP").add("GRANT_SELECT");
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rules);
    }

    /** Latencies in nanoseconds, per configuration and query (index into {@link #QUERIES}). */
    private static final class Latencies
    {
        private final Map<String, List<List<Long>>> byConfiguration = new LinkedHashMap<>();

        Latencies(Collection<String> configurations)
        {
            for (String configuration : configurations) {
                List<List<Long>> perQuery = new ArrayList<>();
                QUERIES.forEach(_ -> perQuery.add(new ArrayList<>()));
                byConfiguration.put(configuration, perQuery);
            }
        }

        void add(String configuration, int query, long nanos)
        {
            byConfiguration.get(configuration).get(query).add(nanos);
        }

        Set<String> configurations()
        {
            return byConfiguration.keySet();
        }

        List<Long> of(String configuration, int query)
        {
            return byConfiguration.get(configuration).get(query);
        }

        List<Long> of(String configuration)
        {
            return byConfiguration.get(configuration).stream().flatMap(List::stream).toList();
        }
    }

    /**
     * One pass over the query mix, alternating the users. Each query runs on every server back to back, and which
     * server goes first rotates from query to query, so that the machine's drift falls evenly on all of them.
     */
    private static void runMix(Map<String, TrinoServerProcess> servers, Decisions decisions, int mix, Latencies latencies)
            throws SQLException
    {
        List<String> order = new ArrayList<>(servers.keySet());
        for (int query = 0; query < QUERIES.size(); query++) {
            String user = USERS.get((mix + query) % USERS.size());
            int turn = mix * QUERIES.size() + query;
            for (int index = 0; index < order.size(); index++) {
                String configuration = order.get((turn + index) % order.size());
                String sql = sql(configuration, decisions, user, QUERIES.get(query));
                long start = System.nanoTime();
                run(servers.get(configuration), user, sql);
                latencies.add(configuration, query, System.nanoTime() - start);
            }
        }
    }

    /** What a configuration's server is asked: the query itself, or for inline the query with the policies written in. */
    private static String sql(String configuration, Decisions decisions, String user, String query)
    {
        return configuration.equals("inline") ? decisions.inline(user, query) : query;
    }

    /**
     * Every configuration that enforces the policies (file, warden, inline) must give every user the same answers, and
     * they must change some of allow-all's.
     */
    private static void assertEquivalent(Map<String, TrinoServerProcess> servers, Decisions decisions)
            throws SQLException
    {
        List<String> enforcing = servers.keySet().stream().filter(configuration -> !configuration.equals("allow-all")).toList();
        if (enforcing.isEmpty()) {
            return;
        }
        boolean differsFromAllowAll = false;
        for (String user : USERS) {
            for (String query : QUERIES) {
                String first = enforcing.getFirst();
                List<String> expected = run(servers.get(first), user, sql(first, decisions, user, query));
                for (String configuration : enforcing) {
                    assertThat(run(servers.get(configuration), user, sql(configuration, decisions, user, query)))
                            .as("%s as %s under %s, against %s", query, user, configuration, first)
                            .isEqualTo(expected);
                }
                if (servers.containsKey("allow-all") && !run(servers.get("allow-all"), user, query).equals(expected)) {
                    differsFromAllowAll = true;
                }
            }
        }
        assertThat(differsFromAllowAll || !servers.containsKey("allow-all")).as("the policies change some answer of allow-all").isTrue();
    }

    private static List<String> run(TrinoServerProcess server, String user, String query)
            throws SQLException
    {
        List<String> rows = new ArrayList<>();
        try (Connection connection = server.connect(user);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                StringBuilder row = new StringBuilder();
                for (int column = 1; column <= columns; column++) {
                    row.append(result.getString(column)).append('|');
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    private static String latencyReport(Latencies latencies, int warmup, int iterations)
    {
        StringBuilder report = new StringBuilder();
        report.append("Query latency, %d queries per configuration (%d mixes of %d TPC-H tiny queries as alice and bob, after %d warm-up mixes)%n%n"
                .formatted(iterations * QUERIES.size(), iterations, QUERIES.size(), warmup));
        report.append("| configuration | median ms | p99 ms |\n|---|---|---|\n");
        for (String configuration : latencies.configurations()) {
            List<Long> all = latencies.of(configuration);
            report.append("| %s | %.1f | %.1f |%n".formatted(configuration, millis(percentile(all, 50)), millis(percentile(all, 99))));
        }
        ratio(report, latencies, "warden", "allow-all", "<= 1.02");
        ratio(report, latencies, "warden", "file", "<= 1.00");
        ratio(report, latencies, "inline", "allow-all", "none: what the policies themselves cost");
        ratio(report, latencies, "warden", "inline", "none: what enforcing them through an access control adds");

        report.append("%nMedian ms per query (Q%d reads a registered table the policies leave as it is)%n%n".formatted(QUERIES.size()));
        report.append("| query |");
        latencies.configurations().forEach(configuration -> report.append(" %s |".formatted(configuration)));
        report.append("\n|---|");
        latencies.configurations().forEach(_ -> report.append("---|"));
        report.append("\n");
        for (int query = 0; query < QUERIES.size(); query++) {
            report.append("| Q%d |".formatted(query + 1));
            for (String configuration : latencies.configurations()) {
                report.append(" %.1f |".formatted(millis(percentile(latencies.of(configuration, query), 50))));
            }
            report.append("\n");
        }
        return report.toString();
    }

    /** The ratio of the medians and p99s of all queries, and the geometric mean over queries of their medians' ratios. */
    private static void ratio(StringBuilder report, Latencies latencies, String numerator, String denominator, String target)
    {
        if (!latencies.configurations().contains(numerator) || !latencies.configurations().contains(denominator)) {
            return;
        }
        double logSum = 0;
        for (int query = 0; query < QUERIES.size(); query++) {
            logSum += Math.log((double) percentile(latencies.of(numerator, query), 50) / percentile(latencies.of(denominator, query), 50));
        }
        report.append("%n%s/%s: median %.3f, p99 %.3f, per-query medians' geometric mean %.3f (target %s)%n".formatted(numerator, denominator,
                (double) percentile(latencies.of(numerator), 50) / percentile(latencies.of(denominator), 50),
                (double) percentile(latencies.of(numerator), 99) / percentile(latencies.of(denominator), 99),
                Math.exp(logSum / QUERIES.size()),
                target));
    }

    /**
     * Changes alice's segments through the API, alternating between one and two, and queries as alice until Trino
     * enforces the change. A delay is from the API's answer to the end of the first query that showed the change, so
     * it includes that query's own latency.
     */
    private static String propagationReport(WardenServerProcess warden, TrinoServerProcess trino, int changes)
            throws Exception
    {
        String query = "SELECT count(DISTINCT mktsegment) FROM tpch.tiny.customer";
        ObjectNode alice = (ObjectNode) JSON.readTree(warden.send("GET", "/api/v1/users/alice", null, warden.adminKey()).body()).get("document");
        List<Long> delays = new ArrayList<>();
        int nextQueryEnforced = 0;
        for (int change = 0; change < changes; change++) {
            List<String> segments = change % 2 == 0 ? List.of("AUTOMOBILE") : List.of("AUTOMOBILE", "BUILDING");
            ArrayNode segment = ((ObjectNode) alice.get("attributes")).putArray("segment");
            segments.forEach(segment::add);
            HttpResponse<String> response = warden.send("PUT", "/api/v1/users/alice", JSON.writeValueAsString(alice), warden.adminKey());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            long committed = System.nanoTime();
            int queries = 0;
            while (true) {
                queries++;
                List<String> result = run(trino, "alice", query);
                if (result.equals(List.of(segments.size() + "|"))) {
                    break;
                }
                assertThat(System.nanoTime() - committed).as("change %d not enforced within 30 s", change).isLessThan(30_000_000_000L);
            }
            delays.add(System.nanoTime() - committed);
            if (queries == 1) {
                nextQueryEnforced++;
            }
        }
        return """
                Propagation, %d changes of alice's attributes through PUT /api/v1/users/alice
                median %.1f ms, p99 %.1f ms, max %.1f ms (target p99 <= 1000 ms); the very next query enforced it %d of %d times
                """.formatted(changes, millis(percentile(delays, 50)), millis(percentile(delays, 99)), millis(percentile(delays, 100)), nextQueryEnforced, changes);
    }

    private static long percentile(List<Long> values, int percentile)
    {
        requireNonNull(values, "values is null");
        List<Long> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.clamp(index, 0, sorted.size() - 1));
    }

    private static double millis(long nanos)
    {
        return nanos / 1_000_000.0;
    }
}
