package dev.warden.server.auth;

/** What an API key may do. Owners of a data source manage it and its local policies without any of these. */
public enum Permission
{
    /** Everything. */
    ADMIN,
    /** Global policies, tags and purposes. */
    GOVERNANCE,
    /** Registering data sources. */
    CREATE_DATA_SOURCE,
    /** Users, groups, attributes and projects. */
    USER_ADMIN,
    /** Reading the audit logs. */
    AUDIT,
    /** An enforcement point: reading snapshots and the change stream, and sending audit events; nothing else. */
    SERVICE
}
