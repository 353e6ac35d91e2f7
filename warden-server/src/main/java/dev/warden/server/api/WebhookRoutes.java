package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.server.auth.Permission;
import dev.warden.server.webhooks.Webhook;
import dev.warden.server.webhooks.Webhooks;
import io.javalin.http.Context;

import java.net.URI;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/** {@code /api/v1/webhooks}: register, list and remove outbound webhooks, and list their deliveries (ADMIN). */
public final class WebhookRoutes
{
    private static final Set<String> KINDS = Set.of("users", "groups", "purposes", "projects", "tags", "dataSources", "approvals", "policies", "accessGrantMapping", "definerViewOwners");

    private final Webhooks webhooks;
    private final ObjectMapper json;

    public WebhookRoutes(Webhooks webhooks, ObjectMapper json)
    {
        this.webhooks = requireNonNull(webhooks, "webhooks is null");
        this.json = requireNonNull(json, "json is null");
    }

    public ObjectNode create(Caller caller, Context context)
    {
        caller.require(Permission.ADMIN);
        JsonNode body = Requests.objectBody(json, context, "{\"url\", \"secret\", \"kinds\"}");
        String target = Requests.requiredText(body, "url");
        URI url;
        try {
            url = URI.create(target);
        }
        catch (IllegalArgumentException e) {
            throw ApiException.badRequest("url", "'%s' is not a URL".formatted(target));
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw ApiException.badRequest("url", "a webhook URL must be http or https, not '%s'".formatted(url));
        }
        Set<String> kinds = new HashSet<>();
        for (JsonNode kind : body.path("kinds")) {
            if (!KINDS.contains(kind.asText())) {
                throw ApiException.badRequest("kinds", "unknown kind '%s'; kinds are %s".formatted(kind.asText(), new java.util.TreeSet<>(KINDS)));
            }
            kinds.add(kind.asText());
        }
        Optional<String> secret = Optional.ofNullable(body.get("secret")).map(JsonNode::asText);
        if (secret.isPresent() && secret.get().length() < 16) {
            throw ApiException.badRequest("secret", "a webhook secret must be at least 16 characters");
        }
        Webhook webhook = webhooks.create(url, secret, kinds, caller.name());
        context.status(201);
        // The secret is shown here once; it signs every payload.
        return toJson(webhook).put("secret", webhook.secret());
    }

    public ObjectNode list(Caller caller)
    {
        caller.require(Permission.ADMIN);
        ObjectNode body = json.createObjectNode();
        ArrayNode items = body.putArray("webhooks");
        webhooks.list().forEach(webhook -> items.add(toJson(webhook)));
        return body;
    }

    public ObjectNode delete(Caller caller, Context context)
    {
        caller.require(Permission.ADMIN);
        if (!webhooks.delete(context.pathParam("id"))) {
            throw ApiException.notFound("no webhook '%s'".formatted(context.pathParam("id")));
        }
        return json.createObjectNode().put("deleted", context.pathParam("id"));
    }

    public ObjectNode deliveries(Caller caller, Context context)
    {
        caller.require(Permission.ADMIN);
        ObjectNode body = json.createObjectNode();
        ArrayNode items = body.putArray("deliveries");
        webhooks.deliveries(context.pathParam("id"), 100).forEach(delivery -> {
            ObjectNode item = items.addObject()
                    .put("revision", delivery.revision())
                    .put("attempt", delivery.attempt())
                    .put("attemptedAt", delivery.attemptedAt().toString())
                    .put("delivered", delivery.delivered());
            if (delivery.statusCode().isPresent()) {
                item.put("statusCode", delivery.statusCode().getAsInt());
            }
            else {
                item.putNull("statusCode");
            }
            item.put("error", delivery.error().orElse(null));
        });
        return body;
    }

    private ObjectNode toJson(Webhook webhook)
    {
        ObjectNode node = json.createObjectNode()
                .put("id", webhook.id())
                .put("url", webhook.url().toString())
                .put("createdBy", webhook.createdBy())
                .put("createdAt", webhook.createdAt().toString())
                .put("deliveredRevision", webhook.deliveredRevision());
        ArrayNode kinds = node.putArray("kinds");
        new java.util.TreeSet<>(webhook.kinds()).forEach(kinds::add);
        return node;
    }
}
