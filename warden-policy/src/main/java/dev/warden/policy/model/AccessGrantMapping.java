package dev.warden.policy.model;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static java.util.Collections.unmodifiableMap;

/**
 * Which access values each access type grants. The default is {@code WRITE -> [READ, WRITE]},
 * {@code READ -> [READ]}. Every mapping must include READ: modifying data one cannot read is not a
 * state any engine supports. CREATE is refused: it concerns data that is not registered yet.
 */
public record AccessGrantMapping(Map<AccessType, Set<AccessValue>> grants)
{
    public static final AccessGrantMapping DEFAULT = new AccessGrantMapping(Map.of(
            AccessType.READ, EnumSet.of(AccessValue.READ),
            AccessType.WRITE, EnumSet.of(AccessValue.READ, AccessValue.WRITE)));

    public AccessGrantMapping
    {
        Checks.required("accessGrantMapping", grants);
        EnumMap<AccessType, Set<AccessValue>> copy = new EnumMap<>(AccessType.class);
        for (AccessType type : AccessType.values()) {
            Set<AccessValue> values = grants.get(type);
            String field = "accessGrantMapping." + type;
            if (values == null) {
                throw new InvalidModelException(field, "is required");
            }
            if (!values.contains(AccessValue.READ)) {
                throw new InvalidModelException(field, "must include READ");
            }
            if (values.contains(AccessValue.CREATE)) {
                throw new InvalidModelException(field, "must not include CREATE: it is granted only where data is not registered");
            }
            copy.put(type, values.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(values)));
        }
        grants = unmodifiableMap(copy);
    }

    public Set<AccessValue> valuesFor(AccessType type)
    {
        return grants.get(type);
    }
}
