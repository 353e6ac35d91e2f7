package dev.warden.bundle.expectations;

import dev.warden.bundle.Bundle;
import dev.warden.bundle.SourcePosition;
import dev.warden.policy.engine.Decision;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.model.AccessValue;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.sql.SqlDialect;
import dev.warden.policy.sql.SqlRenderer;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/** Checks a bundle's expectations against the engine's decisions. */
public final class ExpectationRunner
{
    /** What {@code rowFilter} is compared with when the decision has no row filter. */
    public static final String NO_ROW_FILTER = "TRUE";

    private final PolicyEngine engine;
    private final LocalDateTime now;

    /** @param now the time {@code current_timestamp} and event-time windows are evaluated at */
    public ExpectationRunner(PolicyEngine engine, LocalDateTime now)
    {
        this.engine = requireNonNull(engine, "engine is null");
        this.now = requireNonNull(now, "now is null");
    }

    public List<ExpectationResult> runAll(Bundle bundle)
    {
        List<ExpectationResult> results = new ArrayList<>();
        for (int i = 0; i < bundle.expectations().size(); i++) {
            results.add(run(bundle.expectations().get(i), bundle.expectationSources().get(i)));
        }
        return results;
    }

    public ExpectationResult run(Expectation expectation, SourcePosition source)
    {
        UserContext user = engine.state().userContext(expectation.user(), expectation.project());
        DataSource dataSource = engine.state().dataSource(expectation.dataSource());
        Decision decision = engine.decide(user, dataSource);
        List<String> failures = new ArrayList<>();

        expectation.access().ifPresent(expected -> {
            if (!expected.equals(decision.accessValues())) {
                failures.add("access:\n  expected: " + sorted(expected) + "\n  actual:   " + sorted(decision.accessValues()));
            }
        });

        String noRead = decision.allows(AccessValue.READ) ? "" : " (the user cannot read the data source)";
        List<String> shownButExpectedMasked = expectation.masked().stream().filter(column -> !decision.masks().containsKey(column)).toList();
        if (!shownButExpectedMasked.isEmpty()) {
            failures.add("columns expected masked but not masked" + noRead + ": " + shownButExpectedMasked);
        }
        List<String> maskedButExpectedShown = expectation.unmasked().stream().filter(decision.masks()::containsKey).toList();
        if (!maskedButExpectedShown.isEmpty()) {
            SqlRenderer renderer = SqlRenderer.forUser(SqlDialect.TRINO, user);
            failures.add("columns expected unmasked but masked:" + maskedButExpectedShown.stream()
                    .map(column -> "\n  " + column + " = " + renderer.render(decision.masks().get(column)))
                    .collect(Collectors.joining()));
        }

        String actualFilter = decision.rowFilter().map(filter -> SqlRenderer.forUser(SqlDialect.TRINO, user).render(filter)).orElse(NO_ROW_FILTER);
        expectation.rowFilter().ifPresent(expected -> {
            if (!expected.strip().equals(actualFilter)) {
                failures.add("row filter (Trino):\n  expected: " + expected.strip() + "\n  actual:   " + actualFilter);
            }
        });

        expectation.rows().ifPresent(rows -> checkRows(rows, user, dataSource, decision, failures));
        return new ExpectationResult(expectation, source, failures);
    }

    private void checkRows(RowsExpectation rows, UserContext user, DataSource dataSource, Decision decision, List<String> failures)
    {
        List<Row> visible = new ArrayList<>();
        if (decision.allows(AccessValue.READ)) {
            ExpressionEvaluator evaluator = new ExpressionEvaluator(user, now);
            for (Row row : rows.given()) {
                try {
                    if (decision.rowFilter().isEmpty() || evaluator.passes(decision.rowFilter().get(), typed(row, dataSource))) {
                        visible.add(row);
                    }
                }
                catch (RuntimeException e) {
                    failures.add("rows: cannot evaluate the row filter on " + row + ": " + e.getMessage());
                    return;
                }
            }
        }
        if (!visible.equals(rows.visible())) {
            List<Row> missing = rows.visible().stream().filter(row -> !visible.contains(row)).toList();
            List<Row> unexpected = visible.stream().filter(row -> !rows.visible().contains(row)).toList();
            StringBuilder diff = new StringBuilder("visible rows:");
            diff.append("\n  expected: ").append(rows.visible());
            diff.append("\n  actual:   ").append(visible);
            if (!missing.isEmpty()) {
                diff.append("\n  expected visible but hidden: ").append(missing);
            }
            if (!unexpected.isEmpty()) {
                diff.append("\n  visible but not expected:    ").append(unexpected);
            }
            if (missing.isEmpty() && unexpected.isEmpty()) {
                diff.append("\n  (the same rows, in another order: list visible rows in the order they are given)");
            }
            decision.rowFilter().ifPresent(filter -> diff.append("\n  row filter: ").append(SqlRenderer.forUser(SqlDialect.TRINO, user).render(filter)));
            failures.add(diff.toString());
        }
    }

    private static Map<String, Object> typed(Row row, DataSource dataSource)
    {
        Map<String, Object> values = new HashMap<>();
        row.values().forEach((name, text) -> {
            Column column = dataSource.column(name).orElseThrow(() -> new IllegalArgumentException("the data source has no column '" + name + "'"));
            values.put(name, text == null ? null : SqlValues.parse(column.type(), text));
        });
        return values;
    }

    private static Set<AccessValue> sorted(Set<AccessValue> values)
    {
        return values.isEmpty() ? new TreeSet<>() : EnumSet.copyOf(values);
    }
}
