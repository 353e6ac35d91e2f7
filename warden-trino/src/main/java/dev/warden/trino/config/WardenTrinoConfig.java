package dev.warden.trino.config;

import dev.warden.client.WardenClientConfig;
import dev.warden.policy.model.AccessValue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The settings of Warden's Trino access control, from {@code etc/access-control.properties} (Trino has already
 * replaced {@code ${ENV:...}} references). {@link #parse} reports every unknown or invalid property at once, so
 * that Trino stops at start with one message naming each of them.
 *
 * @param serverUri the Warden server the replica follows
 * @param apiKey a key with permission SERVICE
 * @param registeredOperations what Warden may grant on registered data (never CREATE)
 * @param unregisteredOperations what everyone may do with data Warden does not govern
 * @param unregisteredOperationsByCatalog what everyone may do with data Warden does not govern in these catalogs,
 *        instead of {@code unregisteredOperations}
 * @param blockedFunctions table functions nobody may run, in any catalog, because they pass SQL through unchecked
 * @param unmaskedFunctions table functions that read a table's rows without Trino applying masks and row filters to
 *        them: a query that runs one may read registered data only where nothing is masked or filtered for the person
 * @param overwritingSessionProperties catalog session properties with which an INSERT may replace rows already in the
 *        table (Hive's {@code insert_existing_partitions_behavior}): a query that sets one in a catalog may insert into
 *        a registered table there only where Warden does not filter its rows for the person
 * @param adminOnlySessionProperties system session properties only admins may set, because they weaken what Warden
 *        enforces (Trino's {@code allow_unsafe_pushdown} and {@code complex_expression_pushdown})
 * @param adminOnlyCatalogSessionProperties catalog session properties only admins may set, in every catalog, because
 *        they weaken what Warden enforces (Hive's {@code orc_use_column_names} and {@code parquet_use_column_names}, JDBC
 *        connectors' {@code complex_expression_pushdown})
 * @param externalLocationProperties table properties that point a table at files that already exist (Hive's
 *        {@code external_location}, its partition projection's location template, and its {@code extra_properties},
 *        which may set the metastore's), which may be a registered table's: only admins may create a table with one
 * @param externalFileProcedures table procedures that add files from elsewhere to a table (Iceberg's
 *        {@code add_files}), which may be a registered table's: only admins may run them
 * @param copiesOfRegisteredData who may write what a query reads from registered data into a table Warden does not
 *        govern, where everyone the unregistered operations let read it sees it, whatever Warden lets them see
 * @param adminUsers Trino users who may do anything
 * @param adminGroups Trino groups whose members may do anything
 * @param stalenessBound how long the replica may go without hearing from the server before registered data fails closed
 * @param userMapping turns a Trino user name into a Warden user name; a name it does not match has no Warden user
 * @param projectCredential the extra credential that names the project a query acts under
 * @param impersonators Trino users, beside admins, who may run queries as another (non-admin) user
 * @param planCacheDataSources how many data sources' plans the replica keeps, so that a first decision need not plan
 * @param decisionCacheDecisions how many decisions are kept per revision before the cache starts over
 */
public record WardenTrinoConfig(
        URI serverUri,
        String apiKey,
        Set<AccessValue> registeredOperations,
        Set<AccessValue> unregisteredOperations,
        Map<String, Set<AccessValue>> unregisteredOperationsByCatalog,
        Set<String> blockedFunctions,
        Set<String> unmaskedFunctions,
        Set<String> overwritingSessionProperties,
        Set<String> adminOnlySessionProperties,
        Set<String> adminOnlyCatalogSessionProperties,
        Set<String> externalLocationProperties,
        Set<String> externalFileProcedures,
        Copies copiesOfRegisteredData,
        Set<String> adminUsers,
        Set<String> adminGroups,
        Duration stalenessBound,
        UserMapping userMapping,
        String projectCredential,
        Set<String> impersonators,
        int planCacheDataSources,
        int decisionCacheDecisions)
{
    public static final String SERVER_URI = Settings.SERVER_URI;
    public static final String API_KEY = Settings.API_KEY;
    public static final String REGISTERED_OPERATIONS = "warden.allowed.registered.operations";
    public static final String UNREGISTERED_OPERATIONS = "warden.allowed.unregistered.operations";
    /** Followed by a catalog's name: the unregistered operations of that catalog. */
    public static final String UNREGISTERED_OPERATIONS_IN_CATALOG = UNREGISTERED_OPERATIONS + ".";
    public static final String BLOCKED_FUNCTIONS = "warden.blocked-functions";
    public static final String UNMASKED_FUNCTIONS = "warden.unmasked-functions";
    public static final String OVERWRITING_SESSION_PROPERTIES = "warden.overwriting-session-properties";
    public static final String ADMIN_ONLY_SESSION_PROPERTIES = "warden.admin-only-session-properties";
    public static final String ADMIN_ONLY_CATALOG_SESSION_PROPERTIES = "warden.admin-only-catalog-session-properties";
    public static final String EXTERNAL_LOCATION_PROPERTIES = "warden.external-location-properties";
    public static final String EXTERNAL_FILE_PROCEDURES = "warden.external-file-procedures";
    public static final String COPIES_OF_REGISTERED_DATA = "warden.copies-of-registered-data";
    public static final String ADMIN_USERS = "warden.admin.users";
    public static final String ADMIN_GROUPS = "warden.admin.groups";
    public static final String STALENESS_BOUND = "warden.staleness-bound";
    public static final String USER_MAPPING = "warden.user-mapping";
    public static final String PROJECT_CREDENTIAL = "warden.project-credential";
    public static final String IMPERSONATORS = "warden.impersonation.users";
    public static final String PLAN_CACHE = "warden.plan-cache";
    public static final String DECISION_CACHE = "warden.decision-cache";
    public static final int DEFAULT_DECISION_CACHE_DECISIONS = 200_000;

    private static final Map<String, String> DEFAULTS = defaults();
    private static final String COMPONENT = "Warden access control";
    private static final Pattern CATALOG_NAME = Pattern.compile("[a-z0-9_-]+");
    private static final Pattern SESSION_PROPERTY_NAME = Pattern.compile("[a-z0-9_]+");

    private static Map<String, String> defaults()
    {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put(REGISTERED_OPERATIONS, "READ,WRITE");
        defaults.put(UNREGISTERED_OPERATIONS, "READ,WRITE,CREATE,OWN");
        defaults.put(BLOCKED_FUNCTIONS, "query,raw_query");
        defaults.put(UNMASKED_FUNCTIONS, "table_changes");
        defaults.put(OVERWRITING_SESSION_PROPERTIES, "insert_existing_partitions_behavior");
        defaults.put(ADMIN_ONLY_SESSION_PROPERTIES, "allow_unsafe_pushdown,complex_expression_pushdown");
        defaults.put(ADMIN_ONLY_CATALOG_SESSION_PROPERTIES, "orc_use_column_names,parquet_use_column_names,complex_expression_pushdown");
        defaults.put(EXTERNAL_LOCATION_PROPERTIES, "external_location,partition_projection_location_template,extra_properties");
        defaults.put(EXTERNAL_FILE_PROCEDURES, "add_files,add_files_from_table");
        defaults.put(COPIES_OF_REGISTERED_DATA, "sharers");
        defaults.put(ADMIN_USERS, "");
        defaults.put(ADMIN_GROUPS, "");
        defaults.put(STALENESS_BOUND, "60s");
        defaults.put(USER_MAPPING, "(.*)");
        defaults.put(PROJECT_CREDENTIAL, "warden.project");
        defaults.put(IMPERSONATORS, "");
        defaults.put(PLAN_CACHE, String.valueOf(WardenClientConfig.DEFAULT_PLAN_CACHE_DATA_SOURCES));
        defaults.put(DECISION_CACHE, String.valueOf(DEFAULT_DECISION_CACHE_DECISIONS));
        return Map.copyOf(defaults);
    }

    public WardenTrinoConfig
    {
        requireNonNull(serverUri, "serverUri is null");
        requireNonNull(apiKey, "apiKey is null");
        registeredOperations = Set.copyOf(registeredOperations);
        unregisteredOperations = Set.copyOf(unregisteredOperations);
        unregisteredOperationsByCatalog = unregisteredOperationsByCatalog.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, entry -> Set.copyOf(entry.getValue())));
        blockedFunctions = Set.copyOf(blockedFunctions);
        unmaskedFunctions = Set.copyOf(unmaskedFunctions);
        overwritingSessionProperties = Set.copyOf(overwritingSessionProperties);
        adminOnlySessionProperties = Set.copyOf(adminOnlySessionProperties);
        adminOnlyCatalogSessionProperties = Set.copyOf(adminOnlyCatalogSessionProperties);
        externalLocationProperties = Set.copyOf(externalLocationProperties);
        externalFileProcedures = Set.copyOf(externalFileProcedures);
        requireNonNull(copiesOfRegisteredData, "copiesOfRegisteredData is null");
        adminUsers = Set.copyOf(adminUsers);
        adminGroups = Set.copyOf(adminGroups);
        requireNonNull(stalenessBound, "stalenessBound is null");
        requireNonNull(userMapping, "userMapping is null");
        requireNonNull(projectCredential, "projectCredential is null");
        impersonators = Set.copyOf(impersonators);
        if (planCacheDataSources < 0) {
            throw new IllegalArgumentException("planCacheDataSources must not be negative");
        }
        if (decisionCacheDecisions < 1) {
            throw new IllegalArgumentException("decisionCacheDecisions must be positive");
        }
    }

    /**
     * @throws IllegalArgumentException naming every unknown property and every invalid value
     */
    public static WardenTrinoConfig parse(Map<String, String> properties)
    {
        List<String> problems = new ArrayList<>();
        Map<String, String> byCatalog = new LinkedHashMap<>();
        Map<String, String> others = new LinkedHashMap<>();
        properties.forEach((name, value) -> (name.startsWith(UNREGISTERED_OPERATIONS_IN_CATALOG) ? byCatalog : others).put(name, value));
        Settings.rejectUnknown(others, Settings.known(List.of(SERVER_URI, API_KEY, UNREGISTERED_OPERATIONS_IN_CATALOG + "<catalog>"), DEFAULTS), COMPONENT, problems);
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        values.putAll(properties);

        URI serverUri = Settings.serverUri(values, problems).orElse(null);
        String apiKey = Settings.required(values, API_KEY, problems).orElse(null);
        Set<AccessValue> registered = operations(values, REGISTERED_OPERATIONS, problems);
        if (registered.contains(AccessValue.CREATE)) {
            problems.add(REGISTERED_OPERATIONS + ": CREATE cannot be granted on registered data; allowed are READ, WRITE and OWN");
        }
        Set<AccessValue> unregistered = operations(values, UNREGISTERED_OPERATIONS, problems);
        Map<String, Set<AccessValue>> unregisteredByCatalog = new LinkedHashMap<>();
        byCatalog.keySet().stream().sorted().forEach(name -> {
            String catalog = name.substring(UNREGISTERED_OPERATIONS_IN_CATALOG.length());
            if (!CATALOG_NAME.matcher(catalog).matches()) {
                problems.add(name + ": must end in a catalog's name, in lower case, as " + UNREGISTERED_OPERATIONS_IN_CATALOG + "hive");
            }
            unregisteredByCatalog.put(catalog, operations(values, name, problems));
        });
        Set<String> blockedFunctions = Settings.list(values, BLOCKED_FUNCTIONS, name -> name.toLowerCase(Locale.ROOT));
        Set<String> unmaskedFunctions = Settings.list(values, UNMASKED_FUNCTIONS, name -> name.toLowerCase(Locale.ROOT));
        Set<String> overwritingSessionProperties = catalogSessionProperties(values, OVERWRITING_SESSION_PROPERTIES, problems);
        Set<String> adminOnlySessionProperties = sessionProperties(values, ADMIN_ONLY_SESSION_PROPERTIES,
                "names a catalog session property; list those in " + ADMIN_ONLY_CATALOG_SESSION_PROPERTIES + ", without the catalog", problems);
        Set<String> adminOnlyCatalogSessionProperties = catalogSessionProperties(values, ADMIN_ONLY_CATALOG_SESSION_PROPERTIES, problems);
        Set<String> externalLocationProperties = Settings.list(values, EXTERNAL_LOCATION_PROPERTIES, name -> name.toLowerCase(Locale.ROOT));
        Set<String> externalFileProcedures = Settings.list(values, EXTERNAL_FILE_PROCEDURES, name -> name.toLowerCase(Locale.ROOT));
        Copies copiesOfRegisteredData = copies(values, problems);
        int problemsBeforeStaleness = problems.size();
        Duration stalenessBound = Settings.duration(values, STALENESS_BOUND, problems);
        if (problems.size() == problemsBeforeStaleness && stalenessBound.compareTo(Duration.ofSeconds(3)) < 0) {
            problems.add(STALENESS_BOUND + ": must be at least 3s (the replica polls the server within a third of it), not " + values.get(STALENESS_BOUND).strip());
        }
        UserMapping userMapping = userMapping(values, problems);
        String projectCredential = values.get(PROJECT_CREDENTIAL).strip();
        if (projectCredential.isEmpty()) {
            problems.add(PROJECT_CREDENTIAL + ": must name an extra credential, such as warden.project");
        }
        int planCache = Settings.integer(values, PLAN_CACHE, 0, 10_000_000, problems);
        int decisionCache = Settings.integer(values, DECISION_CACHE, 1, 10_000_000, problems);
        Settings.throwIfAny(problems, COMPONENT);
        return new WardenTrinoConfig(serverUri, apiKey, registered, unregistered, unregisteredByCatalog, blockedFunctions, unmaskedFunctions, overwritingSessionProperties,
                adminOnlySessionProperties, adminOnlyCatalogSessionProperties, externalLocationProperties, externalFileProcedures, copiesOfRegisteredData, Settings.list(values, ADMIN_USERS, Function.identity()), Settings.list(values, ADMIN_GROUPS, Function.identity()),
                stalenessBound, userMapping, projectCredential, Settings.list(values, IMPERSONATORS, Function.identity()), planCache,
                decisionCache);
    }

    /** What everyone may do with data Warden does not govern in {@code catalog}. */
    public Set<AccessValue> unregisteredOperationsIn(String catalog)
    {
        return unregisteredOperationsByCatalog.getOrDefault(catalog, unregisteredOperations);
    }

    /** The property that sets what everyone may do with data Warden does not govern in {@code catalog}. */
    public String unregisteredOperationsPropertyOf(String catalog)
    {
        return unregisteredOperationsByCatalog.containsKey(catalog) ? UNREGISTERED_OPERATIONS_IN_CATALOG + catalog : UNREGISTERED_OPERATIONS;
    }

    /** How the replica inside the plugin reaches the server. */
    public WardenClientConfig clientConfig()
    {
        // A quiet server answers a poll once per wait; keep that well inside the staleness bound.
        int pollWaitSeconds = (int) Math.clamp(stalenessBound.toSeconds() / 3, 1, WardenClientConfig.DEFAULT_POLL_WAIT_SECONDS);
        return WardenClientConfig.of(serverUri, apiKey)
                .withPollWaitSeconds(pollWaitSeconds)
                .withStalenessBound(stalenessBound)
                .withPlanCacheDataSources(planCacheDataSources);
    }

    /** So that the key does not end up in logs. */
    @Override
    public String toString()
    {
        return "WardenTrinoConfig[serverUri=%s, apiKey=***, registeredOperations=%s, unregisteredOperations=%s, unregisteredOperationsByCatalog=%s, blockedFunctions=%s, unmaskedFunctions=%s, overwritingSessionProperties=%s, adminOnlySessionProperties=%s, adminOnlyCatalogSessionProperties=%s, externalLocationProperties=%s, externalFileProcedures=%s, copiesOfRegisteredData=%s, adminUsers=%s, adminGroups=%s, stalenessBound=%s, userMapping=%s, projectCredential=%s, impersonators=%s, planCacheDataSources=%d, decisionCacheDecisions=%d]"
                .formatted(serverUri, registeredOperations, unregisteredOperations, unregisteredOperationsByCatalog, blockedFunctions, unmaskedFunctions, overwritingSessionProperties, adminOnlySessionProperties, adminOnlyCatalogSessionProperties, externalLocationProperties, externalFileProcedures, copiesOfRegisteredData, adminUsers, adminGroups, stalenessBound, userMapping, projectCredential, impersonators, planCacheDataSources, decisionCacheDecisions);
    }

    /** Who may write what a query reads from registered data into a table Warden does not govern. */
    public enum Copies
    {
        /** Admins, and the users a governor allows to share what they see ({@code definerViewOwners}). */
        SHARERS,
        /** Everyone who may read the data and write the table. */
        ANYONE;

        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A regular expression over the whole Trino user name; its first group (or, without groups, the whole match) is
     * the Warden user name.
     */
    public record UserMapping(Pattern pattern)
    {
        public UserMapping
        {
            requireNonNull(pattern, "pattern is null");
        }

        public Optional<String> wardenUser(String trinoUser)
        {
            Matcher matcher = pattern.matcher(trinoUser);
            if (!matcher.matches()) {
                return Optional.empty();
            }
            String name = matcher.groupCount() == 0 ? matcher.group() : matcher.group(1);
            return name == null || name.isEmpty() ? Optional.empty() : Optional.of(name);
        }

        @Override
        public String toString()
        {
            return pattern.pattern();
        }
    }

    private static Set<AccessValue> operations(Map<String, String> values, String name, List<String> problems)
    {
        Set<AccessValue> operations = EnumSet.noneOf(AccessValue.class);
        for (String item : Settings.list(values, name, Function.identity())) {
            try {
                operations.add(AccessValue.valueOf(item.toUpperCase(Locale.ROOT)));
            }
            catch (IllegalArgumentException e) {
                problems.add(name + ": unknown operation '" + item + "'; operations are READ, WRITE, CREATE and OWN");
            }
        }
        return operations;
    }

    /** Catalog session properties, which apply in every catalog and so are named without one. */
    private static Set<String> catalogSessionProperties(Map<String, String> values, String name, List<String> problems)
    {
        return sessionProperties(values, name, "names a catalog; name the property alone, which applies in every catalog", problems);
    }

    private static Set<String> sessionProperties(Map<String, String> values, String name, String dottedNameProblem, List<String> problems)
    {
        Set<String> properties = Settings.list(values, name, item -> item.toLowerCase(Locale.ROOT));
        for (String property : properties) {
            if (property.contains(".")) {
                problems.add(name + ": '" + property + "' " + dottedNameProblem);
            }
            else if (!SESSION_PROPERTY_NAME.matcher(property).matches()) {
                problems.add(name + ": '" + property + "' is not a session property's name (letters, digits and underscores)");
            }
        }
        return properties;
    }

    private static Copies copies(Map<String, String> values, List<String> problems)
    {
        String value = values.get(COPIES_OF_REGISTERED_DATA).strip();
        for (Copies copies : Copies.values()) {
            if (copies.toString().equalsIgnoreCase(value)) {
                return copies;
            }
        }
        problems.add(COPIES_OF_REGISTERED_DATA + ": must be sharers or anyone, not '" + value + "'");
        return Copies.SHARERS;
    }

    private static UserMapping userMapping(Map<String, String> values, List<String> problems)
    {
        try {
            return new UserMapping(Pattern.compile(values.get(USER_MAPPING)));
        }
        catch (PatternSyntaxException e) {
            problems.add(USER_MAPPING + ": not a regular expression: " + e.getDescription() + " near index " + e.getIndex());
            return new UserMapping(Pattern.compile("(.*)"));
        }
    }
}
