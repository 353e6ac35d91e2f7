package dev.warden.policy.model;

import java.util.Map;
import java.util.Set;

/** A group of users. Its attributes are inherited by every member. */
public record Group(String name, Map<String, Set<String>> attributes)
{
    public Group
    {
        Checks.name("name", name);
        attributes = Checks.attributes("attributes", attributes);
    }

    public static Group of(String name)
    {
        return new Group(name, Map.of());
    }
}
