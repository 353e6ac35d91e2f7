package dev.warden.server.api;

import dev.warden.policy.model.AccessApproval;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.PolicyScope;
import dev.warden.policy.state.PolicyState;
import dev.warden.server.auth.ApiKey;
import dev.warden.server.auth.Permission;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Who is calling the API and what they may change. Owners of a data source manage it, its approvals and the
 * local policies on it without any permission; everything else needs the permission for its kind.
 */
public record Caller(ApiKey key)
{
    public Caller
    {
        requireNonNull(key, "key is null");
    }

    public String name()
    {
        return key.wardenUser().map(user -> key.name() + " (" + user + ")").orElse(key.name());
    }

    public void require(Permission permission)
    {
        if (!key.has(permission)) {
            throw ApiException.forbidden("this needs the %s permission, which API key '%s' lacks".formatted(permission, key.name()));
        }
    }

    public void requireAnyOf(Permission... permissions)
    {
        for (Permission permission : permissions) {
            if (key.has(permission)) {
                return;
            }
        }
        throw ApiException.forbidden("this needs one of the permissions %s, which API key '%s' lacks".formatted(java.util.Arrays.toString(permissions), key.name()));
    }

    /** Reading the policy state: every key but a service key, which may only read snapshots. */
    public void requireReader()
    {
        boolean serviceOnly = key.permissions().equals(Set.of(Permission.SERVICE)) && key.wardenUser().isEmpty();
        if (serviceOnly || (key.permissions().isEmpty() && key.wardenUser().isEmpty())) {
            throw ApiException.forbidden("API key '%s' may not read the policy state; a service key reads only snapshots and the change stream".formatted(key.name()));
        }
    }

    /** Checks one changed entity of a section, seeing the state before and after the change. */
    public void authorizeChange(String section, String id, PolicyState before, PolicyState after)
    {
        if (key.has(Permission.ADMIN)) {
            return;
        }
        switch (section) {
            case "users", "groups", "projects" -> require(Permission.USER_ADMIN);
            case "tags", "purposes", "accessGrantMapping", "definerViewOwners" -> require(Permission.GOVERNANCE);
            case "dataSources" -> {
                Optional<DataSource> existing = Optional.ofNullable(before.dataSources().get(id));
                if (existing.isEmpty()) {
                    require(Permission.CREATE_DATA_SOURCE);
                }
                else if (!owns(existing.get())) {
                    throw ApiException.forbidden("only an owner of data source '%s' or an admin may change it".formatted(id));
                }
            }
            case "policies" -> {
                if (!key.has(Permission.GOVERNANCE) && !(ownsEveryDataSourceOf(before, id) && ownsEveryDataSourceOf(after, id))) {
                    throw ApiException.forbidden("policy '%s' needs the GOVERNANCE permission; owners may change only local policies on their own data sources".formatted(id));
                }
            }
            case "approvals" -> {
                if (!key.has(Permission.GOVERNANCE) && !ownsApprovedDataSource(before, id) && !ownsApprovedDataSource(after, id)) {
                    throw ApiException.forbidden("approving access needs the GOVERNANCE permission or ownership of the data source");
                }
            }
            default -> throw ApiException.notFound("no such kind of entity: " + section);
        }
    }

    private boolean owns(DataSource dataSource)
    {
        return key.wardenUser().isPresent() && dataSource.owners().contains(key.wardenUser().get());
    }

    /** True when the policy is absent from the state, or local and on data sources this caller owns. */
    private boolean ownsEveryDataSourceOf(PolicyState state, String policyId)
    {
        Policy policy = state.policies().get(policyId);
        if (policy == null) {
            return true;
        }
        if (!(policy.scope() instanceof PolicyScope.DataSources local)) {
            return false;
        }
        return local.ids().stream().map(state.dataSources()::get).filter(Objects::nonNull).allMatch(this::owns);
    }

    private boolean ownsApprovedDataSource(PolicyState state, String approvalId)
    {
        return state.approvals().stream()
                .filter(approval -> dev.warden.bundle.BundleWriter.approvalId(approval).equals(approvalId))
                .map(AccessApproval::dataSourceId)
                .map(state.dataSources()::get)
                .filter(Objects::nonNull)
                .anyMatch(this::owns);
    }
}
