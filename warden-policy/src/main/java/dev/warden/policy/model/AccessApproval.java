package dev.warden.policy.model;

/** An approved request, by {@code userName}, for {@code accessType} on a data source whose subscription admits anyone who asks. */
public record AccessApproval(String userName, String dataSourceId, AccessType accessType)
{
    public AccessApproval
    {
        Checks.name("userName", userName);
        Checks.name("dataSourceId", dataSourceId);
        Checks.required("accessType", accessType);
    }
}
