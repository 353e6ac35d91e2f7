package dev.warden.policy.model;

/** What kind of object a data source is in its remote system; decides, for example, whether WRITE can mean anything. */
public enum ObjectType
{
    TABLE, VIEW, MATERIALIZED_VIEW, EXTERNAL_TABLE, FOREIGN_TABLE, STREAMING_TABLE, ICEBERG_TABLE, DYNAMIC_TABLE, EVENT_TABLE;

    /** Tables hold their own rows and can be written to; views and the like are read-only objects. */
    public boolean isWritable()
    {
        return this == TABLE || this == ICEBERG_TABLE || this == EVENT_TABLE;
    }
}
