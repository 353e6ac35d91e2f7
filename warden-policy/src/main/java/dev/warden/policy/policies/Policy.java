package dev.warden.policy.policies;

/**
 * A policy: who may access which data sources ({@link SubscriptionPolicy}), which columns are masked
 * ({@link MaskingPolicy}) and which rows are visible ({@link RowPolicy}).
 *
 * <p>{@code sequence} orders policies by creation: lower was created earlier. It breaks ties between masks
 * of equal specificity on one column, so that the outcome never depends on iteration order.
 */
public sealed interface Policy
        permits SubscriptionPolicy, MaskingPolicy, RowPolicy
{
    String id();

    String name();

    long sequence();

    PolicyScope scope();

    String kind();

    String describe();
}
