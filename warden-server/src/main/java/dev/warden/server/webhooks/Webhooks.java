package dev.warden.server.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.server.secrets.SecretBox;
import dev.warden.server.state.PolicyStateService;
import dev.warden.server.store.ChangeRecord;
import dev.warden.server.store.Store;
import org.jdbi.v3.core.Jdbi;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Outbound webhooks for change events. Each webhook follows the change log from its own cursor, one revision at a
 * time, in order: a revision's changes of the kinds it wants are POSTed as one JSON document, signed with
 * HMAC-SHA256 of the body in {@code X-Warden-Signature: sha256=<hex>}. A failed delivery (no 2xx) is retried with
 * exponential backoff from 1 s up to 5 minutes; every attempt is recorded. Revisions with nothing the webhook wants
 * move its cursor without a request.
 */
public final class Webhooks
        implements AutoCloseable
{
    private static final Logger LOG = Logger.getLogger(Webhooks.class.getName());
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofMinutes(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Jdbi jdbi;
    private final Store store;
    private final PolicyStateService state;
    private final ObjectMapper json;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Retry> retries = new ConcurrentHashMap<>();
    private final Thread dispatcher;
    private final SecretBox secrets;
    private volatile boolean closed;

    private record Retry(int attempt, Instant notBefore) {}

    public Webhooks(Store store, PolicyStateService state, SecretBox secrets, ObjectMapper json)
    {
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.store = requireNonNull(store, "store is null");
        this.jdbi = store.jdbi();
        this.state = requireNonNull(state, "state is null");
        this.json = requireNonNull(json, "json is null");
        this.dispatcher = Thread.ofVirtual().name("warden-webhooks").unstarted(this::dispatch);
    }

    /**
     * Encrypts secrets that older versions stored in the clear, checks that every stored secret opens with the
     * configured key (so that a wrong key stops start-up instead of every delivery), and starts delivering.
     */
    public void start()
    {
        jdbi.useTransaction(handle -> {
            List<Map.Entry<String, String>> stored = handle.createQuery("SELECT id, secret FROM webhooks")
                    .map((row, _) -> Map.entry(row.getString("id"), row.getString("secret")))
                    .list();
            for (Map.Entry<String, String> webhook : stored) {
                if (SecretBox.isSealed(webhook.getValue())) {
                    secrets.open(webhook.getValue());
                }
                else {
                    handle.createUpdate("UPDATE webhooks SET secret = :secret WHERE id = :id")
                            .bind("secret", secrets.seal(webhook.getValue())).bind("id", webhook.getKey()).execute();
                }
            }
        });
        dispatcher.start();
    }

    /** A new webhook, sent changes committed from now on. */
    public Webhook create(URI url, Optional<String> secret, Set<String> kinds, String createdBy)
    {
        byte[] id = new byte[9];
        random.nextBytes(id);
        String chosenSecret = secret.orElseGet(() -> {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        });
        Webhook webhook = new Webhook("hook_" + HexFormat.of().formatHex(id), url, chosenSecret, kinds, createdBy,
                Instant.now().truncatedTo(ChronoUnit.MICROS), state.current().revision(), true);
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO webhooks (id, url, secret, kinds, created_by, created_at, delivered_revision, active)
                        VALUES (:id, :url, :secret, :kinds, :createdBy, :createdAt, :revision, TRUE)""")
                .bind("id", webhook.id()).bind("url", url.toString()).bind("secret", secrets.seal(chosenSecret))
                .bind("kinds", String.join(",", new TreeSet<>(kinds))).bind("createdBy", createdBy)
                .bind("createdAt", Timestamp.from(webhook.createdAt())).bind("revision", webhook.deliveredRevision())
                .execute());
        return webhook;
    }

    public List<Webhook> list()
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM webhooks WHERE active ORDER BY created_at, id").map((row, _) -> read(row)).list());
    }

    public boolean delete(String id)
    {
        retries.remove(id);
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE webhooks SET active = FALSE WHERE id = :id AND active").bind("id", id).execute()) > 0;
    }

    public List<WebhookDelivery> deliveries(String webhookId, int limit)
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM webhook_deliveries WHERE webhook_id = :id ORDER BY id DESC LIMIT :limit")
                .bind("id", webhookId).bind("limit", limit)
                .map((row, _) -> new WebhookDelivery(row.getLong("id"), row.getString("webhook_id"), row.getLong("revision"), row.getInt("attempt"),
                        row.getTimestamp("attempted_at").toInstant(),
                        row.getObject("status_code") == null ? OptionalInt.empty() : OptionalInt.of(row.getInt("status_code")),
                        Optional.ofNullable(row.getString("error")), row.getBoolean("delivered")))
                .list());
    }

    private void dispatch()
    {
        long seen = -1;
        while (!closed) {
            try {
                seen = state.awaitRevisionAfter(seen, Duration.ofMillis(500));
                for (Webhook webhook : list()) {
                    deliverPending(webhook);
                }
            }
            catch (InterruptedException e) {
                return;
            }
            catch (RuntimeException e) {
                LOG.log(Level.WARNING, "webhook dispatch failed; will retry", e);
            }
        }
    }

    /** Sends the webhook its next revisions, in order, until one fails or it is up to date. */
    private void deliverPending(Webhook webhook)
            throws InterruptedException
    {
        long cursor = webhook.deliveredRevision();
        while (!closed && cursor < state.current().revision()) {
            Retry retry = retries.get(webhook.id());
            if (retry != null && Instant.now().isBefore(retry.notBefore())) {
                return;
            }
            List<ChangeRecord> changes = store.changesAfter(cursor, 1);
            if (changes.isEmpty()) {
                // The log no longer holds the next revision: record it and jump to the present.
                long current = state.current().revision();
                record(webhook.id(), cursor + 1, 1, OptionalInt.empty(), Optional.of("revisions %d to %d were pruned from the change log before delivery".formatted(cursor + 1, current)), false);
                advance(webhook.id(), current);
                return;
            }
            long revision = changes.getFirst().revision();
            List<ChangeRecord> wanted = changes.stream().filter(change -> webhook.wants(change.change().key().kind())).toList();
            if (!wanted.isEmpty() && !send(webhook, revision, wanted)) {
                return;
            }
            advance(webhook.id(), revision);
            cursor = revision;
        }
    }

    private boolean send(Webhook webhook, long revision, List<ChangeRecord> changes)
            throws InterruptedException
    {
        int attempt = Optional.ofNullable(retries.get(webhook.id())).map(Retry::attempt).orElse(0) + 1;
        String body = payload(webhook, revision, changes);
        OptionalInt status = OptionalInt.empty();
        Optional<String> error = Optional.empty();
        try {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(webhook.url())
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("X-Warden-Webhook", webhook.id())
                    .header("X-Warden-Revision", String.valueOf(revision))
                    .header("X-Warden-Signature", "sha256=" + sign(webhook.secret(), body))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.discarding());
            status = OptionalInt.of(response.statusCode());
            if (response.statusCode() / 100 != 2) {
                error = Optional.of("HTTP " + response.statusCode());
            }
        }
        catch (java.io.IOException e) {
            error = Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        boolean delivered = error.isEmpty();
        record(webhook.id(), revision, attempt, status, error, delivered);
        if (delivered) {
            retries.remove(webhook.id());
        }
        else {
            long delayMillis = Math.min(LAST_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(attempt - 1, 20));
            retries.put(webhook.id(), new Retry(attempt, Instant.now().plusMillis(delayMillis)));
        }
        return delivered;
    }

    private String payload(Webhook webhook, long revision, List<ChangeRecord> changes)
    {
        ObjectNode payload = json.createObjectNode()
                .put("webhook", webhook.id())
                .put("revision", revision)
                .put("actor", changes.getFirst().actor())
                .put("committedAt", changes.getFirst().committedAt().toString());
        ArrayNode list = payload.putArray("changes");
        for (ChangeRecord change : changes) {
            ObjectNode item = list.addObject()
                    .put("kind", change.change().key().kind())
                    .put("id", change.change().key().id())
                    .put("operation", change.change().body().isPresent() ? "put" : "delete");
            try {
                item.set("document", change.change().body().isPresent() ? json.readTree(change.change().body().get()) : json.nullNode());
            }
            catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("a logged change is not JSON", e);
            }
        }
        return payload.toString();
    }

    /** Lower-case hex HMAC-SHA256 of the body with the webhook's secret: what receivers compare. */
    public static String sign(String secret, String body)
    {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void advance(String webhookId, long revision)
    {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE webhooks SET delivered_revision = :revision WHERE id = :id AND delivered_revision < :revision")
                .bind("revision", revision).bind("id", webhookId).execute());
    }

    private void record(String webhookId, long revision, int attempt, OptionalInt status, Optional<String> error, boolean delivered)
    {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO webhook_deliveries (webhook_id, revision, attempt, attempted_at, status_code, error, delivered)
                        VALUES (:webhook, :revision, :attempt, :at, :status, :error, :delivered)""")
                .bind("webhook", webhookId).bind("revision", revision).bind("attempt", attempt).bind("at", Timestamp.from(Instant.now()))
                .bind("status", status.isPresent() ? status.getAsInt() : null).bind("error", error.map(text -> text.length() > 2_000 ? text.substring(0, 2_000) : text).orElse(null))
                .bind("delivered", delivered)
                .execute());
    }

    private Webhook read(ResultSet row)
            throws SQLException
    {
        String kinds = row.getString("kinds");
        return new Webhook(row.getString("id"), URI.create(row.getString("url")), secrets.open(row.getString("secret")),
                kinds.isEmpty() ? Set.of() : Arrays.stream(kinds.split(",")).collect(Collectors.toSet()),
                row.getString("created_by"), row.getTimestamp("created_at").toInstant(), row.getLong("delivered_revision"), row.getBoolean("active"));
    }

    @Override
    public void close()
    {
        closed = true;
        dispatcher.interrupt();
    }
}
