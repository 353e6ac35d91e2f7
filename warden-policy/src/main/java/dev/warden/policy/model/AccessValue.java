package dev.warden.policy.model;

/**
 * What an enforcement point allows. READ and WRITE come from subscription policies through the
 * {@link AccessGrantMapping}; OWN (alter, drop, comment, set properties) only where the mapping grants it;
 * CREATE is never granted on registered data: enforcement points grant it, by configuration, where data is not registered.
 */
public enum AccessValue
{
    READ, WRITE, OWN, CREATE
}
