package dev.warden.server.webhooks;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/** One attempt to deliver one revision's changes to a webhook. */
public record WebhookDelivery(long id, String webhookId, long revision, int attempt, Instant attemptedAt, OptionalInt statusCode, Optional<String> error, boolean delivered)
{
    public WebhookDelivery
    {
        requireNonNull(webhookId, "webhookId is null");
        requireNonNull(attemptedAt, "attemptedAt is null");
        requireNonNull(statusCode, "statusCode is null");
        requireNonNull(error, "error is null");
    }
}
