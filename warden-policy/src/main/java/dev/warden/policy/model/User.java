package dev.warden.policy.model;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;

/**
 * A person as Warden knows them. Project membership lives on {@link Project}; {@code currentProject}
 * is the project the user acts under unless a query names another one they belong to.
 */
public record User(String name, String email, SortedSet<String> groups, Map<String, Set<String>> attributes, Optional<String> currentProject)
{
    public User
    {
        Checks.name("name", name);
        Checks.value("email", email);
        groups = Checks.names("groups", groups);
        attributes = Checks.attributes("attributes", attributes);
        Checks.required("currentProject", currentProject).ifPresent(project -> Checks.name("currentProject", project));
    }
}
