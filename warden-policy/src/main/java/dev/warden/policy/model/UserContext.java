package dev.warden.policy.model;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;

/**
 * Everything the engine knows of the person behind one query: their groups, their attributes with
 * those inherited from their groups already merged in, the project they act under and that project's purposes.
 * Built by {@link dev.warden.policy.state.PolicyState#userContext}; construct directly only in tests and benchmarks.
 */
public record UserContext(
        String name,
        SortedSet<String> groups,
        Map<String, Set<String>> attributes,
        Optional<String> currentProject,
        SortedSet<String> purposes)
{
    public UserContext
    {
        Checks.name("name", name);
        groups = Checks.names("groups", groups);
        attributes = Checks.attributes("attributes", attributes);
        Checks.required("currentProject", currentProject);
        purposes = Checks.names("purposes", purposes);
    }

    public Set<String> attributeValues(String key)
    {
        return attributes.getOrDefault(key, Set.of());
    }

    public boolean hasAttribute(String key, String value)
    {
        return attributeValues(key).contains(value);
    }
}
