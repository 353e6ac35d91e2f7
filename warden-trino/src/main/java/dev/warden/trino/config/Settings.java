package dev.warden.trino.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reading the plugin's properties. Each reader notes a problem as {@code "name: what is wrong"} instead of stopping,
 * so that one message at Trino's start names every bad property.
 */
final class Settings
{
    public static final String SERVER_URI = "warden.server-uri";
    public static final String API_KEY = "warden.api-key";

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern DATA_SIZE = Pattern.compile("(\\d+)\\s*(B|kB|MB|GB)");

    private Settings() {}

    /** Notes each property that is not one of {@code known}; {@code component} says whose properties they are. */
    static void rejectUnknown(Map<String, String> properties, Collection<String> known, String component, List<String> problems)
    {
        List<String> sorted = known.stream().sorted().toList();
        properties.keySet().stream()
                .filter(name -> !known.contains(name))
                .sorted()
                .forEach(name -> problems.add(name + ": unknown property; " + component + " knows " + String.join(", ", sorted)));
    }

    static void throwIfAny(List<String> problems, String component)
    {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid " + component + " configuration:\n  " + String.join("\n  ", problems));
        }
    }

    static Optional<String> required(Map<String, String> values, String name, List<String> problems)
    {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            problems.add(name + ": required");
            return Optional.empty();
        }
        return Optional.of(value.strip());
    }

    /** The required address of the Warden server. */
    static Optional<URI> serverUri(Map<String, String> values, List<String> problems)
    {
        Optional<String> value = required(values, SERVER_URI, problems);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value.get());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                problems.add(SERVER_URI + ": must be an http or https address with a host, such as http://warden:8470, not '" + value.get() + "'");
                return Optional.empty();
            }
            return Optional.of(uri);
        }
        catch (URISyntaxException e) {
            problems.add(SERVER_URI + ": not an address: " + e.getMessage());
            return Optional.empty();
        }
    }

    static Set<String> list(Map<String, String> values, String name, Function<String, String> normalize)
    {
        return Arrays.stream(values.get(name).split(","))
                .map(String::strip)
                .filter(item -> !item.isEmpty())
                .map(normalize)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** A duration such as 500ms, 30s, 5m or 1h; {@link Duration#ZERO} when it is not one. */
    static Duration duration(Map<String, String> values, String name, List<String> problems)
    {
        Matcher matcher = DURATION.matcher(values.get(name).strip());
        if (!matcher.matches()) {
            problems.add(name + ": not a duration such as 500ms, 30s, 5m or 1h: '" + values.get(name) + "'");
            return Duration.ZERO;
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** A positive size in bytes such as 512MB or 2GB (units of 1024); 0 when it is not one. */
    static long dataSize(Map<String, String> values, String name, List<String> problems)
    {
        Matcher matcher = DATA_SIZE.matcher(values.get(name).strip());
        long amount = matcher.matches() ? Long.parseLong(matcher.group(1)) : 0;
        if (amount == 0) {
            problems.add(name + ": not a positive size such as 512MB or 2GB: '" + values.get(name) + "'");
            return 0;
        }
        return switch (matcher.group(2)) {
            case "B" -> amount;
            case "kB" -> amount * 1024;
            case "MB" -> amount * 1024 * 1024;
            default -> amount * 1024 * 1024 * 1024;
        };
    }

    /** A whole number from {@code min} to {@code max}; {@code min} when it is not one. */
    static int integer(Map<String, String> values, String name, int min, int max, List<String> problems)
    {
        String value = values.get(name).strip();
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        }
        catch (NumberFormatException _) {
            // noted below, with the value that was given
        }
        problems.add("%s: must be a whole number from %d to %d, not '%s'".formatted(name, min, max, value));
        return min;
    }

    /** The names a component knows: the required ones and those with defaults. */
    static List<String> known(Collection<String> required, Map<String, String> defaults)
    {
        List<String> known = new ArrayList<>(required);
        known.addAll(defaults.keySet());
        return known;
    }
}
