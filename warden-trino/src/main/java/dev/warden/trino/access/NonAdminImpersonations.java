package dev.warden.trino.access;

import io.trino.spi.security.Identity;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which users each authenticated principal impersonates without being an admin. Trino's impersonation check names
 * only the user to be impersonated, while the session it then builds carries that user's groups: a user who is an
 * admin only through {@code warden.admin.groups} would make whoever impersonates them an admin. So the access control
 * remembers the impersonations it allowed to non-admins, and admin groups do not count in those sessions.
 *
 * <p>Trino checks impersonation for every request whose authenticated user differs from the session user, just
 * before it builds that session, so the entry a session needs is always the newest; beyond {@code capacity} pairs the
 * oldest are forgotten first.
 */
final class NonAdminImpersonations
{
    private final int capacity;
    private final Map<String, Boolean> pairs = new LinkedHashMap<>(16, 0.75f, true);

    NonAdminImpersonations(int capacity)
    {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    /** Called for every impersonation the access control allowed: an admin's clears what a non-admin's recorded. */
    void allowed(Identity impersonator, String user, boolean impersonatorIsAdmin)
    {
        String key = key(impersonator.getPrincipal().map(Principal::getName).orElse(impersonator.getUser()), user);
        synchronized (pairs) {
            if (impersonatorIsAdmin) {
                pairs.remove(key);
                return;
            }
            pairs.put(key, Boolean.TRUE);
            while (pairs.size() > capacity) {
                pairs.remove(pairs.keySet().iterator().next());
            }
        }
    }

    /** Whether this session is one a non-admin principal opened as another user. */
    boolean isImpersonatedByNonAdmin(Identity session)
    {
        Optional<Principal> principal = session.getPrincipal();
        if (principal.isEmpty() || principal.get().getName().equals(session.getUser())) {
            return false;
        }
        String key = key(principal.get().getName(), session.getUser());
        synchronized (pairs) {
            return pairs.containsKey(key);
        }
    }

    private static String key(String principal, String user)
    {
        return principal + '\u0000' + user;
    }
}
