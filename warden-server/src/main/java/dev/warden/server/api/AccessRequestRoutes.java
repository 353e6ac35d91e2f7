package dev.warden.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.policy.model.AccessType;
import dev.warden.server.requests.AccessRequest;
import dev.warden.server.requests.AccessRequests;
import io.javalin.http.Context;

import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code /api/v1/access-requests}: ask for access under an "anyone who asks" policy, list requests, and approve,
 * deny or revoke them.
 */
public final class AccessRequestRoutes
{
    private final AccessRequests requests;
    private final ObjectMapper json;

    public AccessRequestRoutes(AccessRequests requests, ObjectMapper json)
    {
        this.requests = requireNonNull(requests, "requests is null");
        this.json = requireNonNull(json, "json is null");
    }

    public ObjectNode create(Caller caller, Context context)
    {
        JsonNode body = Requests.objectBody(json, context, "{\"dataSource\", \"access\", \"reason\", \"user\"}");
        String user = Optional.ofNullable(body.get("user")).map(JsonNode::asText)
                .or(() -> caller.key().wardenUser())
                .orElseThrow(() -> ApiException.badRequest("user", "'user' is required unless the API key acts as a Warden user"));
        String dataSource = Requests.requiredText(body, "dataSource");
        AccessType access;
        try {
            access = AccessType.valueOf(Requests.requiredText(body, "access").toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw ApiException.badRequest("access", "access must be READ or WRITE");
        }
        String reason = Optional.ofNullable(body.get("reason")).map(JsonNode::asText).orElse("");
        context.status(201);
        return toJson(requests.request(caller, user, dataSource, access, reason));
    }

    public ObjectNode list(Caller caller, Context context)
    {
        caller.requireReader();
        Optional<AccessRequest.Status> status;
        try {
            status = Optional.ofNullable(context.queryParam("status")).map(value -> AccessRequest.Status.valueOf(value.toUpperCase(Locale.ROOT)));
        }
        catch (IllegalArgumentException e) {
            throw ApiException.badRequest("status", "status must be one of PENDING, APPROVED, DENIED, REVOKED");
        }
        ObjectNode body = json.createObjectNode();
        ArrayNode items = body.putArray("requests");
        requests.list(status, Optional.ofNullable(context.queryParam("dataSource")), Optional.ofNullable(context.queryParam("user")))
                .forEach(request -> items.add(toJson(request)));
        return body;
    }

    public ObjectNode get(Caller caller, Context context)
    {
        caller.requireReader();
        return toJson(requests.get(context.pathParam("id")));
    }

    public ObjectNode decide(Caller caller, Context context)
    {
        String id = context.pathParam("id");
        String note = context.body().isBlank() ? "" : Optional.ofNullable(Requests.objectBody(json, context, "{\"note\"}").get("note")).map(JsonNode::asText).orElse("");
        AccessRequest decided = switch (context.pathParam("decision")) {
            case "approve" -> requests.approve(caller, id, note);
            case "deny" -> requests.deny(caller, id, note);
            case "revoke" -> requests.revoke(caller, id, note);
            default -> throw ApiException.notFound("no such decision '%s'; use approve, deny or revoke".formatted(context.pathParam("decision")));
        };
        return toJson(decided);
    }

    private ObjectNode toJson(AccessRequest request)
    {
        ObjectNode node = json.createObjectNode()
                .put("id", request.id())
                .put("user", request.userName())
                .put("dataSource", request.dataSourceId())
                .put("access", request.accessType().name())
                .put("reason", request.reason())
                .put("status", request.status().name())
                .put("requestedBy", request.requestedBy())
                .put("requestedAt", request.requestedAt().toString());
        node.put("decidedBy", request.decidedBy().orElse(null));
        node.put("decidedAt", request.decidedAt().map(Object::toString).orElse(null));
        node.put("decisionNote", request.decisionNote().orElse(null));
        if (request.revision().isPresent()) {
            node.put("revision", request.revision().getAsLong());
        }
        else {
            node.putNull("revision");
        }
        return node;
    }
}
