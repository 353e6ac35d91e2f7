package dev.warden.policy.engine;

import static java.util.Objects.requireNonNull;

/**
 * Why a policy did or did not shape a decision.
 *
 * @param policyId the policy's id, or {@value #OWNERSHIP} for the access data source owners always have
 */
public record Reason(String policyId, String policyName, String policyKind, Outcome outcome, String explanation)
{
    public static final String OWNERSHIP = "(owner)";

    public enum Outcome
    {
        /** The policy shaped the decision. */
        APPLIED,
        /** The policy was in force but did not shape the decision for this user and data source. */
        NOT_APPLIED,
        /** The policy's scope does not cover this data source (or, for a mask, none of its columns). */
        NOT_IN_FORCE,
        /** The policy targeted a column that a more specific policy masks instead. */
        OVERRIDDEN
    }

    public Reason
    {
        requireNonNull(policyId, "policyId is null");
        requireNonNull(policyName, "policyName is null");
        requireNonNull(policyKind, "policyKind is null");
        requireNonNull(outcome, "outcome is null");
        requireNonNull(explanation, "explanation is null");
    }

    @Override
    public String toString()
    {
        return outcome + " " + policyKind + " policy '" + policyName + "' (" + policyId + "): " + explanation;
    }
}
