package dev.warden.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.server.api.AccessRequestRoutes;
import dev.warden.server.api.ApiKeyRoutes;
import dev.warden.server.api.ApiException;
import dev.warden.server.api.BundleRejectedException;
import dev.warden.server.api.Caller;
import dev.warden.server.api.DecisionRoutes;
import dev.warden.server.api.Requests;
import dev.warden.server.api.WebhookRoutes;
import dev.warden.server.api.EntityRoutes;
import dev.warden.server.api.QueryAuditRoutes;
import dev.warden.server.audit.QueryEvents;
import dev.warden.server.secrets.SecretBox;
import dev.warden.server.state.InvalidChangeException;
import dev.warden.server.state.PolicyStateService;
import dev.warden.server.store.StaleRevisionException;
import dev.warden.server.auth.ApiKey;
import dev.warden.server.auth.ApiKeys;
import dev.warden.server.auth.Permission;
import dev.warden.server.config.ServerConfig;
import dev.warden.server.metrics.ServerMetrics;
import dev.warden.server.requests.AccessRequests;
import dev.warden.server.webhooks.Webhooks;
import dev.warden.server.store.ChangeRecord;
import dev.warden.server.store.Store;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The Warden server: the metadata store behind an authenticated JSON API under {@code /api/v1}, and
 * {@code /health} without authentication.
 */
public final class WardenServer
        implements AutoCloseable
{
    private static final String API_KEY = "warden.apiKey";
    /** Set once Warden has written an error body, so that Javalin's status handlers leave it alone. */
    private static final String ERROR_SENT = "warden.errorSent";
    private static final String STARTED = "warden.started";
    private static final int MAX_REVISIONS_PER_PAGE = 1_000;
    private static final long MAX_WAIT_SECONDS = 60;

    private final Store store;
    private final ApiKeys apiKeys;
    private final ObjectMapper json = new ObjectMapper();
    private final PolicyStateService state;
    private final EntityRoutes entities;
    private final DecisionRoutes decisions;
    private final AccessRequestRoutes accessRequests;
    private final Webhooks webhooks;
    private final WebhookRoutes webhookRoutes;
    private final ApiKeyRoutes apiKeyRoutes;
    private final QueryAuditRoutes queryAudit;
    private final ServerMetrics metrics;
    private final Javalin http;

    private WardenServer(ServerConfig config, Store store)
    {
        this.store = requireNonNull(store, "store is null");
        this.apiKeys = new ApiKeys(store.jdbi());
        this.state = new PolicyStateService(store, json, config.changeLogRetention(), config.planCacheDataSources());
        this.entities = new EntityRoutes(state, json);
        this.decisions = new DecisionRoutes(state, json);
        this.accessRequests = new AccessRequestRoutes(new AccessRequests(store.jdbi(), state), json);
        this.webhooks = new Webhooks(store, state, SecretBox.open(config.secretsKey(), config.dataDirectory()), json);
        this.webhookRoutes = new WebhookRoutes(webhooks, json);
        this.apiKeyRoutes = new ApiKeyRoutes(apiKeys, json);
        this.queryAudit = new QueryAuditRoutes(new QueryEvents(store.jdbi(), json), json);
        this.metrics = new ServerMetrics(() -> state.current().revision());
        this.http = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            // Change-stream requests wait for the next revision; virtual threads make waiting cheap.
            javalin.concurrency.useVirtualThreads = true;
            javalin.jetty.host = config.httpHost();
            javalin.jetty.port = config.httpPort();
            // Bundles of whole catalogs are large; everything else is small.
            javalin.http.maxRequestSize = config.maxRequestMegabytes() * 1024L * 1024L;
            javalin.routes.exception(ApiException.class, this::sendError);
            javalin.routes.exception(InvalidChangeException.class, (exception, context) -> sendProblems(context, 400, "INVALID",
                    exception.problems().stream().map(problem -> new Problem(problem.field(), problem.message(), 0, 0)).toList()));
            javalin.routes.exception(BundleRejectedException.class, (exception, context) -> sendProblems(context, 400, "INVALID_BUNDLE",
                    exception.bundleException().errors().stream().map(error -> new Problem(error.field(), error.message(), error.line(), error.column())).toList()));
            javalin.routes.exception(StaleRevisionException.class, (exception, context) ->
                    sendError(new ApiException(409, "STALE_REVISION", exception.getMessage(), Optional.of("basedOn")), context));
            javalin.routes.exception(Exception.class, (exception, context) ->
                    sendError(new ApiException(500, "INTERNAL", "internal error: " + exception.getClass().getSimpleName(), Optional.empty()), context));
            javalin.routes.error(404, context -> {
                if (context.attribute(ERROR_SENT) == null) {
                    sendError(ApiException.notFound("no such endpoint: " + context.method() + " " + context.path()), context);
                }
            });
            javalin.routes.before(context -> context.attribute(STARTED, System.nanoTime()));
            javalin.routes.after(context -> {
                Long started = context.attribute(STARTED);
                if (started != null) {
                    var endpoint = context.endpoints().lastHttpEndpoint();
                    String route = endpoint == null ? "unmatched" : endpoint.path;
                    metrics.request(context.method().name(), route, context.statusCode(), System.nanoTime() - started);
                }
            });
            javalin.routes.before("/api/*", this::authenticate);
            javalin.routes.get("/health", context -> sendJson(context, Map.of("status", "UP", "revision", state.current().revision())));
            javalin.routes.get("/metrics", context -> {
                caller(authenticated(context)).requireAnyOf(Permission.ADMIN, Permission.AUDIT, Permission.SERVICE);
                context.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.prometheusText());
            });
            javalin.routes.get("/api/v1/openapi.json", context -> context.contentType("application/json").result(openApiDocument()));
            javalin.routes.get("/api/v1/snapshot", this::snapshot);
            javalin.routes.get("/api/v1/changes", this::changes);
            javalin.routes.get("/api/v1/audit", this::audit);
            javalin.routes.post("/api/v1/audit/queries", context -> sendJson(context, queryAudit.receive(caller(context), context)));
            javalin.routes.get("/api/v1/audit/queries", context -> sendJson(context, queryAudit.list(caller(context), context)));
            javalin.routes.post("/api/v1/apply", context -> sendJson(context, entities.apply(caller(context), context)));
            javalin.routes.post("/api/v1/decisions", context -> sendJson(context, decisions.decisions(caller(context), context)));
            javalin.routes.get("/api/v1/explain", context -> sendJson(context, decisions.explain(caller(context), context)));
            javalin.routes.post("/api/v1/api-keys", context -> sendJson(context, apiKeyRoutes.create(caller(context), context)));
            javalin.routes.get("/api/v1/api-keys", context -> sendJson(context, apiKeyRoutes.list(caller(context))));
            javalin.routes.delete("/api/v1/api-keys/{id}", context -> sendJson(context, apiKeyRoutes.revoke(caller(context), context)));
            javalin.routes.post("/api/v1/webhooks", context -> sendJson(context, webhookRoutes.create(caller(context), context)));
            javalin.routes.get("/api/v1/webhooks", context -> sendJson(context, webhookRoutes.list(caller(context))));
            javalin.routes.delete("/api/v1/webhooks/{id}", context -> sendJson(context, webhookRoutes.delete(caller(context), context)));
            javalin.routes.get("/api/v1/webhooks/{id}/deliveries", context -> sendJson(context, webhookRoutes.deliveries(caller(context), context)));
            javalin.routes.post("/api/v1/access-requests", context -> sendJson(context, accessRequests.create(caller(context), context)));
            javalin.routes.get("/api/v1/access-requests", context -> sendJson(context, accessRequests.list(caller(context), context)));
            javalin.routes.get("/api/v1/access-requests/{id}", context -> sendJson(context, accessRequests.get(caller(context), context)));
            javalin.routes.post("/api/v1/access-requests/{id}/{decision}", context -> sendJson(context, accessRequests.decide(caller(context), context)));
            javalin.routes.get("/api/v1/{section}", context -> sendJson(context, entities.list(caller(context), context)));
            javalin.routes.get("/api/v1/{section}/{id}", context -> sendJson(context, entities.get(caller(context), context)));
            javalin.routes.put("/api/v1/{section}/{id}", context -> sendJson(context, entities.put(caller(context), context)));
            javalin.routes.delete("/api/v1/{section}/{id}", context -> sendJson(context, entities.delete(caller(context), context)));
        });
    }

    /** Opens the store, makes sure an admin key exists (printing a new one once), and starts serving. */
    public static WardenServer start(ServerConfig config, PrintStream console)
    {
        Store store = Store.open(config);
        try {
            WardenServer server = new WardenServer(config, store);
            server.bootstrap(config, console);
            server.http.start();
            server.webhooks.start();
            return server;
        }
        catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private void bootstrap(ServerConfig config, PrintStream console)
    {
        if (!apiKeys.isEmpty()) {
            return;
        }
        if (config.bootstrapAdminKey().isPresent()) {
            apiKeys.createWithKey(config.bootstrapAdminKey().get(), "bootstrap admin", Set.of(Permission.ADMIN), "bootstrap");
            console.println("Created the bootstrap admin API key from configuration.");
            return;
        }
        ApiKeys.Created created = apiKeys.create("bootstrap admin", Set.of(Permission.ADMIN), Optional.empty(), "bootstrap");
        console.println("Bootstrap admin API key (shown once, keep it safe): " + created.key());
    }

    public int port()
    {
        return http.port();
    }

    public URI uri()
    {
        return URI.create("http://127.0.0.1:" + port());
    }

    public ApiKeys apiKeys()
    {
        return apiKeys;
    }

    public PolicyStateService state()
    {
        return state;
    }

    public Store store()
    {
        return store;
    }

    /** Authenticates a request outside {@code /api}, which the before-handler does not cover. */
    private Context authenticated(Context context)
    {
        authenticate(context);
        return context;
    }

    private void authenticate(Context context)
    {
        String header = context.header("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            throw ApiException.unauthenticated();
        }
        ApiKey key = apiKeys.authenticate(header.substring("Bearer ".length()).strip())
                .orElseThrow(() -> new ApiException(401, "UNAUTHENTICATED", "the API key is unknown or revoked", Optional.empty()));
        context.attribute(API_KEY, key);
    }

    private static String openApiDocument()
    {
        try (var document = WardenServer.class.getResourceAsStream("openapi.json")) {
            return new String(requireNonNull(document, "openapi.json is missing from the server's resources").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Caller caller(Context context)
    {
        ApiKey key = context.attribute(API_KEY);
        if (key == null) {
            throw ApiException.unauthenticated();
        }
        return new Caller(key);
    }

    private void snapshot(Context context)
            throws Exception
    {
        caller(context).require(Permission.SERVICE);
        Store.Snapshot snapshot = store.snapshot();
        ObjectNode body = json.createObjectNode().put("revision", snapshot.revision());
        var documents = body.putArray("documents");
        for (var entry : snapshot.documents().entrySet()) {
            documents.addObject()
                    .put("kind", entry.getKey().kind())
                    .put("id", entry.getKey().id())
                    .set("body", json.readTree(entry.getValue()));
        }
        sendJson(context, body);
    }

    private void changes(Context context)
            throws Exception
    {
        caller(context).require(Permission.SERVICE);
        long after = Requests.revision(context, "after");
        long waitSeconds = Requests.intParameter(context, "wait", 0, 0, (int) MAX_WAIT_SECONDS);
        long revision;
        try (AutoCloseable _ = metrics.replicaWaiting()) {
            revision = state.awaitRevisionAfter(after, java.time.Duration.ofSeconds(waitSeconds));
        }
        ObjectNode body = json.createObjectNode().put("after", after).put("revision", revision);
        // A replica further behind than the log reaches must start again from a snapshot.
        OptionalLong oldest = store.oldestLoggedRevision();
        boolean snapshotRequired = after < revision && (oldest.isEmpty() || after < oldest.getAsLong() - 1);
        body.put("snapshotRequired", snapshotRequired);
        List<ChangeRecord> changes = snapshotRequired ? List.of() : store.changesAfter(after, MAX_REVISIONS_PER_PAGE);
        var list = body.putArray("changes");
        for (ChangeRecord change : changes) {
            ObjectNode item = list.addObject()
                    .put("revision", change.revision())
                    .put("kind", change.change().key().kind())
                    .put("id", change.change().key().id())
                    .put("actor", change.actor())
                    .put("committedAt", change.committedAt().toString());
            if (change.change().body().isPresent()) {
                item.set("body", json.readTree(change.change().body().get()));
            }
            else {
                item.putNull("body");
            }
        }
        sendJson(context, body);
    }

    private void audit(Context context)
            throws Exception
    {
        caller(context).require(Permission.AUDIT);
        int limit = Requests.intParameter(context, "limit", 100, 1, 1_000);
        var entries = store.audit(Optional.ofNullable(context.queryParam("actor")), Optional.ofNullable(context.queryParam("kind")),
                Optional.ofNullable(context.queryParam("id")), limit);
        ObjectNode body = json.createObjectNode();
        var list = body.putArray("entries");
        for (var entry : entries) {
            ObjectNode item = list.addObject()
                    .put("id", entry.id())
                    .put("at", entry.at().toString())
                    .put("actor", entry.actor())
                    .put("action", entry.action())
                    .put("kind", entry.key().kind())
                    .put("entityId", entry.key().id())
                    .put("revision", entry.revision());
            item.set("before", entry.before().isPresent() ? json.readTree(entry.before().get()) : json.nullNode());
            item.set("after", entry.after().isPresent() ? json.readTree(entry.after().get()) : json.nullNode());
        }
        sendJson(context, body);
    }

    private void sendError(ApiException error, Context context)
    {
        if (!error.problems().isEmpty()) {
            sendProblems(context, error.status(), error.code(), error.problems().stream().map(problem -> new Problem(problem.field(), problem.message(), 0, 0)).toList());
            return;
        }
        context.attribute(ERROR_SENT, Boolean.TRUE);
        ObjectNode body = json.createObjectNode().put("code", error.code()).put("message", error.getMessage());
        if (error.field().isPresent()) {
            body.put("field", error.field().get());
        }
        else {
            body.putNull("field");
        }
        context.status(error.status());
        sendJson(context, body);
    }

    private record Problem(String field, String message, int line, int column) {}

    private void sendProblems(Context context, int status, String code, List<Problem> problems)
    {
        context.attribute(ERROR_SENT, Boolean.TRUE);
        ObjectNode body = json.createObjectNode()
                .put("code", code)
                .put("message", String.join("; ", problems.stream()
                        .map(problem -> problem.field().isEmpty() ? problem.message() : problem.field() + ": " + problem.message()).toList()))
                .put("field", problems.getFirst().field());
        var list = body.putArray("problems");
        for (Problem problem : problems) {
            ObjectNode item = list.addObject().put("field", problem.field()).put("message", problem.message());
            if (problem.line() > 0) {
                item.put("line", problem.line()).put("column", problem.column());
            }
        }
        context.status(status);
        sendJson(context, body);
    }

    private void sendJson(Context context, Object body)
    {
        try {
            context.contentType("application/json").result(json.writeValueAsString(body));
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close()
    {
        webhooks.close();
        http.stop();
        store.close();
    }
}
