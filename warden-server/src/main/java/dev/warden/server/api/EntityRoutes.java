package dev.warden.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.bundle.Bundle;
import dev.warden.bundle.BundleException;
import dev.warden.bundle.BundleLoader;
import dev.warden.server.auth.Permission;
import dev.warden.server.state.PolicyStateService;
import dev.warden.server.state.PolicyStateService.Current;
import dev.warden.server.state.PolicyStateService.DocumentChange;
import dev.warden.server.store.EntityKey;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The policy state's entities over HTTP, as documents of the bundle format (see {@code docs/policy-as-code.md}):
 * {@code /api/v1/{section}} and {@code /api/v1/{section}/{id}} for users, groups, purposes, projects, tags, data
 * sources, approvals, policies, the access grant mapping and definer view owners, and {@code /api/v1/apply} for a whole bundle.
 */
public final class EntityRoutes
{
    /** Each section and the field of its documents that holds the id (empty: the document is the id, or has none). */
    private static final Map<String, String> ID_FIELDS = Map.of(
            "tags", "",
            "definerViewOwners", "",
            "purposes", "name",
            "groups", "name",
            "users", "name",
            "projects", "name",
            "dataSources", "id",
            "approvals", "",
            "policies", "id",
            "accessGrantMapping", "");

    private final PolicyStateService state;
    private final ObjectMapper json;

    public EntityRoutes(PolicyStateService state, ObjectMapper json)
    {
        this.state = requireNonNull(state, "state is null");
        this.json = requireNonNull(json, "json is null");
    }

    public ObjectNode list(Caller caller, Context context)
    {
        caller.requireReader();
        String section = section(context);
        int offset = Requests.intParameter(context, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = Requests.intParameter(context, "limit", 100, 1, 1_000);
        Optional<String> contains = Optional.ofNullable(context.queryParam("q"));
        Current current = state.current();
        List<Map.Entry<String, Object>> matching = current.documents().section(section).entrySet().stream()
                .filter(entry -> contains.isEmpty() || entry.getKey().contains(contains.get()))
                .toList();
        ObjectNode body = json.createObjectNode()
                .put("revision", current.revision())
                .put("total", matching.size())
                .put("offset", offset);
        ArrayNode items = body.putArray("items");
        matching.stream().skip(offset).limit(limit).forEach(entry -> items.addObject()
                .put("id", entry.getKey())
                .set("document", json.valueToTree(entry.getValue())));
        return body;
    }

    public ObjectNode get(Caller caller, Context context)
    {
        caller.requireReader();
        EntityKey key = new EntityKey(section(context), context.pathParam("id"));
        Current current = state.current();
        Object document = current.document(key)
                .orElseThrow(() -> ApiException.notFound("no %s '%s'".formatted(singular(key.kind()), key.id())));
        ObjectNode body = json.createObjectNode().put("revision", current.revision()).put("id", key.id());
        body.set("document", json.valueToTree(document));
        return body;
    }

    public ObjectNode put(Caller caller, Context context)
    {
        String section = section(context);
        String id = context.pathParam("id");
        Object document = readDocument(context);
        checkId(section, id, document);
        EntityKey key = new EntityKey(section, id);
        boolean existed = state.current().document(key).isPresent();
        Current after = state.change(caller.name(), Requests.optionalRevision(context, "basedOn"), List.of(new DocumentChange(key, Optional.of(document))),
                (beforeState, afterState) -> caller.authorizeChange(section, id, beforeState, afterState));
        context.status(existed ? 200 : 201);
        ObjectNode body = json.createObjectNode().put("revision", after.revision()).put("id", id);
        body.set("document", json.valueToTree(after.document(key).orElseThrow()));
        return body;
    }

    public ObjectNode delete(Caller caller, Context context)
    {
        String section = section(context);
        String id = context.pathParam("id");
        EntityKey key = new EntityKey(section, id);
        if (state.current().document(key).isEmpty()) {
            throw ApiException.notFound("no %s '%s'".formatted(singular(section), id));
        }
        Current after = state.change(caller.name(), Requests.optionalRevision(context, "basedOn"), List.of(new DocumentChange(key, Optional.empty())),
                (beforeState, afterState) -> caller.authorizeChange(section, id, beforeState, afterState));
        return json.createObjectNode().put("revision", after.revision()).put("deleted", id);
    }

    /**
     * Makes the state equal to a bundle: what the bundle has is created or updated, what it lacks is deleted, in one
     * revision. With {@code dryRun=true}, only says what would change.
     */
    public ObjectNode apply(Caller caller, Context context)
    {
        caller.require(Permission.ADMIN);
        boolean dryRun = Boolean.parseBoolean(context.queryParamAsClass("dryRun", String.class).getOrDefault("false"));
        Bundle bundle;
        try {
            bundle = BundleLoader.load("request", List.of(new BundleLoader.SourceFile("request", context.body())));
        }
        catch (BundleException e) {
            throw new BundleRejectedException(e);
        }
        Current current = state.current();
        Map<EntityKey, Object> desired = PolicyStateService.documentsOf(bundle.state());
        List<DocumentChange> changes = new ArrayList<>();
        ObjectNode body = json.createObjectNode().put("dryRun", dryRun);
        ArrayNode diff = body.putArray("changes");
        Set<EntityKey> keys = new LinkedHashSet<>();
        current.documents().documents().forEach(document -> keys.add(new EntityKey(document.section(), document.id())));
        keys.addAll(desired.keySet());
        for (EntityKey key : keys) {
            Object before = current.document(key).orElse(null);
            Object after = desired.get(key);
            String operation;
            if (before == null) {
                operation = "create";
            }
            else if (after == null) {
                operation = "delete";
            }
            else if (!state.sameDocument(before, after)) {
                operation = "update";
            }
            else {
                continue;
            }
            changes.add(new DocumentChange(key, Optional.ofNullable(after)));
            diff.addObject().put("operation", operation).put("section", key.kind()).put("id", key.id());
        }
        if (dryRun || changes.isEmpty()) {
            body.put("revision", current.revision());
            return body;
        }
        Current applied = state.change(caller.name(), Requests.optionalRevision(context, "basedOn"), changes, (_, _) -> {});
        body.put("revision", applied.revision());
        return body;
    }

    private static String section(Context context)
    {
        String section = context.pathParam("section");
        if (!ID_FIELDS.containsKey(section)) {
            throw ApiException.notFound("no such endpoint: /api/v1/%s; entities live under /api/v1/{%s}"
                    .formatted(section, String.join("|", new java.util.TreeSet<>(ID_FIELDS.keySet()))));
        }
        return section;
    }

    private Object readDocument(Context context)
    {
        try {
            return json.treeToValue(Requests.body(json, context), Object.class);
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("", "the body is not a JSON document: " + e.getOriginalMessage());
        }
    }

    private static void checkId(String section, String id, Object document)
    {
        String idField = ID_FIELDS.get(section);
        if (idField.isEmpty()) {
            if (section.equals("tags") && !id.equals(document)) {
                throw ApiException.badRequest("", "a tag's document is its path as a JSON string, \"%s\"".formatted(id));
            }
            if (section.equals("definerViewOwners") && !id.equals(document)) {
                throw ApiException.badRequest("", "a definer view owner's document is the user's name as a JSON string, \"%s\"".formatted(id));
            }
            return;
        }
        if (!(document instanceof Map<?, ?> map) || !id.equals(map.get(idField))) {
            throw ApiException.badRequest(idField, "the document's '%s' must be '%s', as in the URL".formatted(idField, id));
        }
    }

    private static String singular(String section)
    {
        return switch (section) {
            case "dataSources" -> "data source";
            case "accessGrantMapping" -> "access grant mapping";
            case "definerViewOwners" -> "definer view owner";
            case "policies" -> "policy";
            default -> section.substring(0, section.length() - 1);
        };
    }
}
