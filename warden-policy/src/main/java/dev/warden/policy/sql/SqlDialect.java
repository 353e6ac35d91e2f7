package dev.warden.policy.sql;

/** The SQL engines Warden renders masks and filters for. */
public enum SqlDialect
{
    TRINO, POSTGRES
}
