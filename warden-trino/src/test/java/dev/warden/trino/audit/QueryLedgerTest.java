package dev.warden.trino.audit;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class QueryLedgerTest
{
    @Test
    void policiesRecordedForATableAreTheUnionOfEveryGrantUsed()
    {
        QueryLedger ledger = new QueryLedger(10);
        List<String> firstGrant = List.of("mask-email", "filter-region");
        // Trino asks three times per table with one grant; a change of revision mid-query brings a second grant.
        ledger.recordPolicies("q1", "orders", firstGrant);
        ledger.recordPolicies("q1", "orders", firstGrant);
        ledger.recordPolicies("q1", "orders", List.of("filter-region", "mask-phone"));
        ledger.recordPolicies("q1", "customers", List.of());
        ledger.recordPerson("q1", "alice", Optional.of("fraud"));

        QueryLedger.Entry entry = ledger.take("q1").orElseThrow();
        assertThat(entry.policiesByDataSource()).isEqualTo(Map.of(
                "orders", Set.of("filter-region", "mask-email", "mask-phone"),
                "customers", Set.of()));
        assertThat(entry.wardenUser()).contains("alice");
        assertThat(ledger.take("q1")).isEmpty();
    }

    @Test
    void theOldestQueriesAreDroppedPastCapacity()
    {
        QueryLedger ledger = new QueryLedger(2);
        ledger.recordDenial("q1", "no");
        ledger.recordDenial("q2", "no");
        ledger.recordDenial("q3", "no");

        assertThat(ledger.take("q1")).isEmpty();
        assertThat(ledger.take("q2")).isPresent();
        assertThat(ledger.take("q3")).isPresent();
    }
}
