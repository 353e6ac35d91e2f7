package dev.warden.policy.model;

/** A reason for using data, such as {@code Fraud Detection}. Users act under the purposes of their current project. */
public record Purpose(String name, String description)
{
    public Purpose
    {
        Checks.name("name", name);
        Checks.value("description", description);
    }
}
