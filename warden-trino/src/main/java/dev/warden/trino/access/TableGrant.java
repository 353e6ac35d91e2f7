package dev.warden.trino.access;

import dev.warden.policy.model.AccessValue;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static java.util.Objects.requireNonNull;

/**
 * What one person may do with one table, and what Trino must apply when they read it.
 *
 * @param allowed the operations allowed
 * @param masks column masks
 * @param rowFilters row filters, all of which apply
 * @param dataSourceId the Warden data source the table is, if it is registered
 * @param appliedPolicyIds the policies that shaped this grant, for the audit ledger
 * @param refusal why an operation outside {@code allowed} is refused
 */
record TableGrant(
        Set<AccessValue> allowed,
        GrantedMasks masks,
        GrantedRowFilters rowFilters,
        Optional<String> dataSourceId,
        List<String> appliedPolicyIds,
        Refusal refusal)
{
    /** Explains, in a sentence that follows "Cannot select from table t: ", why an operation is refused. */
    @FunctionalInterface
    interface Refusal
    {
        String why(AccessValue wanted);

        /**
         * A refusal that writes each sentence once: a grant is kept for a revision, and a user who keeps querying
         * a table they may not read is refused with the same sentence every time.
         */
        static Refusal remembering(Refusal refusal)
        {
            requireNonNull(refusal, "refusal is null");
            AtomicReferenceArray<String> sentences = new AtomicReferenceArray<>(AccessValue.values().length);
            return wanted -> {
                String sentence = sentences.get(wanted.ordinal());
                if (sentence == null) {
                    sentence = refusal.why(wanted);
                    sentences.set(wanted.ordinal(), sentence);
                }
                return sentence;
            };
        }
    }

    static final TableGrant UNRESTRICTED = new TableGrant(EnumSet.allOf(AccessValue.class), GrantedMasks.NONE, GrantedRowFilters.NONE, Optional.empty(), List.of(),
            _ -> "nothing is refused");

    TableGrant
    {
        allowed = Set.copyOf(allowed);
        requireNonNull(masks, "masks is null");
        requireNonNull(rowFilters, "rowFilters is null");
        requireNonNull(dataSourceId, "dataSourceId is null");
        appliedPolicyIds = List.copyOf(appliedPolicyIds);
        requireNonNull(refusal, "refusal is null");
    }

    /** Nothing is allowed, for one reason whatever is wanted. */
    static TableGrant refused(Optional<String> dataSourceId, String reason)
    {
        return new TableGrant(Set.of(), GrantedMasks.NONE, GrantedRowFilters.NONE, dataSourceId, List.of(), _ -> reason);
    }

    /** Unmasked, unfiltered access limited to some operations. */
    static TableGrant limitedTo(Set<AccessValue> allowed, Refusal refusal)
    {
        return new TableGrant(allowed, GrantedMasks.NONE, GrantedRowFilters.NONE, Optional.empty(), List.of(), refusal);
    }

    boolean allows(AccessValue value)
    {
        return allowed.contains(value);
    }
}
