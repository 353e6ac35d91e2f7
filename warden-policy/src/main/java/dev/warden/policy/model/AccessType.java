package dev.warden.policy.model;

/** What a subscription policy grants: reading, or modifying, a data source. */
public enum AccessType
{
    READ, WRITE
}
