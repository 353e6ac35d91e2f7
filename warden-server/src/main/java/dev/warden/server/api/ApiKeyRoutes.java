package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.server.auth.ApiKey;
import dev.warden.server.auth.ApiKeys;
import dev.warden.server.auth.Permission;
import io.javalin.http.Context;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/** {@code /api/v1/api-keys}: create keys (shown once), list them without their secrets, and revoke them (ADMIN). */
public final class ApiKeyRoutes
{
    private final ApiKeys apiKeys;
    private final ObjectMapper json;

    public ApiKeyRoutes(ApiKeys apiKeys, ObjectMapper json)
    {
        this.apiKeys = requireNonNull(apiKeys, "apiKeys is null");
        this.json = requireNonNull(json, "json is null");
    }

    public ObjectNode create(Caller caller, Context context)
    {
        caller.require(Permission.ADMIN);
        JsonNode body = Requests.objectBody(json, context, "{\"name\", \"permissions\", \"user\"}");
        String name = Requests.requiredText(body, "name");
        if (!body.path("permissions").isArray()) {
            throw ApiException.badRequest("permissions", "a list of permissions is required, from " + permissionNames());
        }
        Set<Permission> permissions = EnumSet.noneOf(Permission.class);
        for (JsonNode permission : body.path("permissions")) {
            try {
                permissions.add(Permission.valueOf(permission.asText().toUpperCase(Locale.ROOT)));
            }
            catch (IllegalArgumentException e) {
                throw ApiException.badRequest("permissions", "unknown permission '%s'; permissions are %s".formatted(permission.asText(), permissionNames()));
            }
        }
        Optional<String> user = Optional.ofNullable(body.get("user")).filter(node -> !node.isNull()).map(JsonNode::asText);
        ApiKeys.Created created = apiKeys.create(name, permissions, user, caller.name());
        context.status(201);
        // The key is shown here once; only its hash is stored.
        return toJson(created.apiKey()).put("key", created.key());
    }

    public ObjectNode list(Caller caller)
    {
        caller.require(Permission.ADMIN);
        ObjectNode body = json.createObjectNode();
        ArrayNode items = body.putArray("apiKeys");
        apiKeys.list().forEach(apiKey -> items.add(toJson(apiKey)));
        return body;
    }

    public ObjectNode revoke(Caller caller, Context context)
    {
        caller.require(Permission.ADMIN);
        String id = context.pathParam("id");
        if (!apiKeys.revoke(id)) {
            throw ApiException.notFound("no active API key '%s'".formatted(id));
        }
        return json.createObjectNode().put("revoked", id);
    }

    private ObjectNode toJson(ApiKey apiKey)
    {
        ObjectNode node = json.createObjectNode()
                .put("id", apiKey.id())
                .put("name", apiKey.name())
                .put("user", apiKey.wardenUser().orElse(null))
                .put("createdBy", apiKey.createdBy())
                .put("createdAt", apiKey.createdAt().toString())
                .put("revokedAt", apiKey.revokedAt().map(Object::toString).orElse(null));
        ArrayNode permissions = node.putArray("permissions");
        new TreeSet<>(apiKey.permissions()).forEach(permission -> permissions.add(permission.name()));
        return node;
    }

    private static String permissionNames()
    {
        return EnumSet.allOf(Permission.class).toString();
    }
}
