package dev.warden.trino.access;

import dev.warden.client.PolicyReplica;
import dev.warden.policy.engine.Decision;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.engine.Reason;
import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.AccessValue;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.RemoteLocation;
import dev.warden.policy.model.User;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.SubscriptionPolicy;
import dev.warden.policy.sql.SqlDialect;
import dev.warden.policy.sql.SqlRenderer;
import dev.warden.policy.state.PolicyState;
import dev.warden.policy.state.UnknownEntityException;
import dev.warden.trino.access.RegisteredTables.Registration;
import dev.warden.trino.config.WardenTrinoConfig;
import io.trino.spi.connector.CatalogSchemaRoutineName;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.security.Identity;
import io.trino.spi.security.SystemSecurityContext;
import io.trino.spi.security.ViewExpression;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Decides what a person may do with a Trino table, locally, on the replica's current revision: whether the table is
 * registered, who the person behind the query is, and what Warden's engine decided for them (cached per revision).
 * It knows nothing of Trino's individual checks; {@link WardenAccessControl} maps those to operations.
 */
public final class AccessDecider
        implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(AccessDecider.class.getName());
    private static final int USER_MAPPING_CAPACITY = 100_000;
    private static final int IMPERSONATION_CAPACITY = 100_000;
    private static final int USER_CONTEXT_CAPACITY = 100_000;

    /** The state of one revision, and the decisions (with the masks and filters they share) and user contexts made on it. */
    private record Snapshot(long revision, PolicyState state, PolicyEngine engine, RegisteredTables tables,
            RevisionCache<DecisionKey, TableGrant> decisions, SharedRenderings renderings, RevisionCache<ActingFor, UserContext> users) {}

    /** A decision's key: the Warden user, the project the query names (if any), and the data source. */
    record DecisionKey(String wardenUser, Optional<String> project, String dataSourceId)
    {
        DecisionKey
        {
            requireNonNull(wardenUser, "wardenUser is null");
            requireNonNull(project, "project is null");
            requireNonNull(dataSourceId, "dataSourceId is null");
        }
    }

    /** Tables of the {@code system} catalog and of every {@code information_schema}: Trino filters their content through the access control, with the exceptions of {@link #systemInformationGrant}. */
    private static final TableGrant SYSTEM_INFORMATION = TableGrant.limitedTo(Set.of(AccessValue.READ),
            _ -> "system tables and information_schema can only be read");
    /** {@code system.runtime.transactions}, which Trino does not filter and whose rows say nothing of whose they are. */
    private static final TableGrant EVERYONES_TRANSACTIONS = TableGrant.refused(Optional.empty(),
            "it lists every user's open transactions with the catalogs they use, and no row says whose it is; only Warden admins may read it");

    private final WardenTrinoConfig config;
    private final PolicyReplica replica;
    private final QueryPeople people;
    private final TableGrant unregistered;
    private final Map<String, TableGrant> unregisteredByCatalog;
    private final Map<String, Optional<String>> wardenUsers = new ConcurrentHashMap<>();
    private final NonAdminImpersonations impersonations = new NonAdminImpersonations(IMPERSONATION_CAPACITY);
    private volatile Snapshot snapshot;
    /** The newest revision on which the background planner found every registered table planned, or planned it; -1 for none. */
    private volatile long plannedThrough = -1;
    private final AtomicLong plannerWalks = new AtomicLong();
    /** Plans the registered tables of each new revision in the background, so that first decisions on them need not. */
    private final ExecutorService planner = Executors.newSingleThreadExecutor(task -> Thread.ofPlatform().daemon().name("warden-planner").unstarted(task));

    public AccessDecider(WardenTrinoConfig config, PolicyReplica replica, QueryPeople people)
    {
        this.config = requireNonNull(config, "config is null");
        this.replica = requireNonNull(replica, "replica is null");
        this.people = requireNonNull(people, "people is null");
        this.unregistered = unregisteredGrant(config.unregisteredOperations(), "", WardenTrinoConfig.UNREGISTERED_OPERATIONS);
        Map<String, TableGrant> byCatalog = new HashMap<>();
        config.unregisteredOperationsByCatalog().forEach((catalog, operations) ->
                byCatalog.put(catalog, unregisteredGrant(operations, " in catalog " + catalog, config.unregisteredOperationsPropertyOf(catalog))));
        this.unregisteredByCatalog = Map.copyOf(byCatalog);
    }

    private static TableGrant unregisteredGrant(Set<AccessValue> operations, String where, String property)
    {
        String allowed = operations.isEmpty() ? "nothing" : "only " + sorted(operations);
        return TableGrant.limitedTo(operations, _ -> "this Trino cluster allows %s on data Warden does not govern%s (%s)".formatted(allowed, where, property));
    }

    /** Decides with the replica's newest state from now on; called whenever the replica swaps one in. */
    public void refresh(long revision)
    {
        PolicyEngine engine = replica.engine();
        PolicyState state = engine.state();
        Snapshot previous = snapshot;
        // An update shares what it leaves unchanged, so sameness is identity here.
        boolean sameDataSources = previous != null && previous.state().dataSources() == state.dataSources();
        RegisteredTables tables = sameDataSources ? previous.tables() : RegisteredTables.of(state);
        // A user's context depends on users, groups and projects alone: while those are unchanged, so are the contexts.
        RevisionCache<ActingFor, UserContext> users = previous != null
                && previous.state().users() == state.users() && previous.state().groups() == state.groups() && previous.state().projects() == state.projects()
                ? previous.users()
                : new RevisionCache<>(USER_CONTEXT_CAPACITY);
        Snapshot next = new Snapshot(revision, state, engine, tables, new RevisionCache<>(config.decisionCacheDecisions()),
                new SharedRenderings(config.decisionCacheDecisions()), users);
        // The replica refreshes every swap in order, so the engine's predecessor is the previous snapshot's. When that
        // one had every table planned, and the change kept the data sources and every plan (as a change of people or
        // a local policy does), there is nothing to plan: a walk over every table would only compete with the first
        // queries after the change for the coordinator's cores (milliseconds with 10,000 tables).
        boolean everyTablePlanned = sameDataSources && engine.keptEveryPlan() && plannedThrough == previous.revision();
        // Counted before the snapshot is published, so that whoever sees the new revision sees its walk counted.
        if (everyTablePlanned) {
            plannedThrough = revision;
        }
        else {
            plannerWalks.incrementAndGet();
        }
        snapshot = next;
        if (!everyTablePlanned) {
            planner.execute(() -> planRegisteredTables(next));
        }
    }

    /** How many walks over the registered tables the background planner was given; for tests. */
    long plannerWalks()
    {
        return plannerWalks.get();
    }

    /**
     * Plans every registered table that has no plan on this revision: after a snapshot or a policy change that covers
     * many tables, most have none. Stops when a newer revision arrives (its own task takes over) or the plan cache is
     * full.
     */
    private void planRegisteredTables(Snapshot planned)
    {
        for (DataSource dataSource : planned.tables().dataSources()) {
            if (snapshot != planned) {
                return;
            }
            try {
                if (!planned.engine().prepare(dataSource)) {
                    return;
                }
            }
            catch (RuntimeException e) {
                // A decision on it will fail the same way, and be refused with the reason; the other tables still get plans.
                LOG.log(System.Logger.Level.WARNING, "cannot plan Warden data source " + dataSource.id() + " at revision " + planned.revision(), e);
            }
        }
        plannedThrough = planned.revision();
    }

    /** Stops planning in the background. */
    @Override
    public void close()
    {
        planner.shutdownNow();
    }

    /** Whether the first snapshot has arrived. */
    public boolean hasPolicies()
    {
        return snapshot != null;
    }

    /** The revision decisions are made on, or -1 before the first snapshot. */
    public long revision()
    {
        Snapshot current = snapshot;
        return current == null ? -1 : current.revision();
    }

    /**
     * Whether Warden's decisions do not apply to this identity: a user in {@code warden.admin.users}, or one in a group
     * of {@code warden.admin.groups}, unless a non-admin opened the session by impersonating them.
     */
    public boolean isAdmin(Identity identity)
    {
        if (config.adminUsers().contains(identity.getUser())) {
            return true;
        }
        for (String group : identity.getGroups()) {
            if (config.adminGroups().contains(group)) {
                return !impersonations.isImpersonatedByNonAdmin(identity);
            }
        }
        return false;
    }

    /** Remembers an impersonation the access control allowed, for {@link #isAdmin}. */
    public void impersonationAllowed(Identity impersonator, String user)
    {
        impersonations.allowed(impersonator, user, isAdmin(impersonator));
    }

    public boolean isAdminName(String user)
    {
        return config.adminUsers().contains(user);
    }

    /**
     * What the person behind the query may do with a table. Calls that Trino makes for a SECURITY DEFINER view's
     * owner about registered tables are decided for the person who started the query instead, unless a governor
     * allowed that owner to share ({@code definerViewOwners}). A query that refreshes a materialized view may read
     * registered tables only as someone allowed to share, and one that runs a table function reading tables past
     * Trino's masks and filters only where nothing is masked or filtered for the person.
     */
    public TableGrant grant(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        if (isSystemInformation(table)) {
            return systemInformationGrant(context, table);
        }
        Identity caller = context.getIdentity();
        Snapshot current = snapshot;
        if (current == null) {
            Identity person = people.personOf(context.getQueryId()).orElse(caller);
            return isAdmin(caller) && isAdmin(person) ? TableGrant.UNRESTRICTED : TableGrant.refused(Optional.empty(), noPoliciesYet());
        }
        Optional<Registration> registration = current.tables().lookup(table);
        if (registration.isPresent()) {
            return registeredGrant(context, table, current, registration.get());
        }
        Optional<Registration> described = current.tables().describedBy(table);
        if (described.isPresent()) {
            return metadataGrant(described.get().dataSource(), registeredGrant(context, table, current, described.get()));
        }
        return isAdmin(caller) ? TableGrant.UNRESTRICTED : unregisteredByCatalog.getOrDefault(table.getCatalogName(), unregistered);
    }

    private TableGrant registeredGrant(SystemSecurityContext context, CatalogSchemaTableName table, Snapshot current, Registration registration)
    {
        Identity person = personAsking(context, current);
        DataSource dataSource = registration.dataSource();
        Optional<String> dataSourceId = Optional.of(dataSource.id());
        Optional<CatalogSchemaTableName> refreshed = people.refreshedBy(context.getQueryId());
        if (refreshed.isPresent() && !refreshed.get().equals(table) && !sharesAsDefiner(person.getUser(), current)) {
            return TableGrant.refused(dataSourceId, storedForOthers(dataSource, refreshed.get(), person));
        }
        if (isAdmin(person)) {
            return TableGrant.UNRESTRICTED;
        }
        if (registration.isAmbiguous()) {
            return TableGrant.refused(dataSourceId, "it is registered as several Warden data sources (%s, %s); ask a Warden governor to keep one"
                    .formatted(dataSource.id(), String.join(", ", registration.alsoRegisteredAs())));
        }
        if (replica.isStale()) {
            return TableGrant.refused(dataSourceId, stale());
        }
        Optional<String> wardenUser = wardenUser(person.getUser());
        if (wardenUser.isEmpty()) {
            return TableGrant.refused(dataSourceId, "it is Warden data source '%s', and Trino user '%s' has no Warden user (%s does not match the name)"
                    .formatted(dataSource.id(), person.getUser(), WardenTrinoConfig.USER_MAPPING));
        }
        Optional<String> project = requestedProject(person);
        TableGrant grant = current.decisions().get(new DecisionKey(wardenUser.get(), project, dataSource.id()),
                () -> decide(current, wardenUser.get(), project, dataSource));
        Optional<CatalogSchemaTableName> unregisteredTarget = people.unregisteredTargetOf(context.getQueryId());
        if (unregisteredTarget.isPresent() && grant.allows(AccessValue.READ) && !sharesAsDefiner(person.getUser(), current)) {
            return TableGrant.refused(dataSourceId, storedUngoverned(dataSource, unregisteredTarget.get(), person));
        }
        Optional<CatalogSchemaRoutineName> unmaskedFunction = people.unmaskedFunctionOf(context.getQueryId());
        if (unmaskedFunction.isPresent() && (!grant.masks().isEmpty() || !grant.rowFilters().isEmpty())) {
            return TableGrant.refused(dataSourceId, ("it is Warden data source '%s', and this query runs table function %s, which reads tables without "
                    + "the masks and row filters Warden gives Trino; such a query may read registered data only where Warden neither masks nor filters "
                    + "it for you (%s)").formatted(dataSource.id(), unmaskedFunction.get(), WardenTrinoConfig.UNMASKED_FUNCTIONS));
        }
        return grant;
    }

    /**
     * Trino answers a fresh materialized view from its stored rows, so masks and filters meant for the person reading
     * it never apply: whoever refreshes it decides what all its readers see. Only someone a governor allows to share
     * what they see may store registered data there, as with definer views; for anyone else, admins included, the
     * refresh is refused.
     */
    private static String storedForOthers(DataSource dataSource, CatalogSchemaTableName view, Identity person)
    {
        return ("it is Warden data source '%s', and this query refreshes materialized view %s, whose stored rows everyone who reads the view "
                + "would see instead of what Warden lets them see; Trino user '%s' is not among the users a Warden governor allows to share "
                + "what they see (definerViewOwners)").formatted(dataSource.id(), view, person.getUser());
    }

    /**
     * A table Warden does not govern shows its rows to everyone the unregistered operations let read it, so a query that
     * writes into one stores what the person sees of registered data for them all. Only someone a governor allows to
     * share what they see may, as with definer views, and admins ({@code warden.copies-of-registered-data=sharers}).
     */
    private static String storedUngoverned(DataSource dataSource, CatalogSchemaTableName target, Identity person)
    {
        return ("it is Warden data source '%s', and this query writes into table %s, which Warden does not govern: everyone who may read that table "
                + "would see what you see of this data source, whatever Warden lets them see; Trino user '%s' is not among the users a Warden governor "
                + "allows to share what they see (definerViewOwners; %s)").formatted(dataSource.id(), target, person.getUser(), WardenTrinoConfig.COPIES_OF_REGISTERED_DATA);
    }

    /**
     * A connector's metadata table of a registered table ({@code orders$partitions}) may be read only by a person who
     * may read the table itself with nothing masked or filtered: partition values and column statistics would show
     * what masks hide and rows filters leave out, and masks and filters cannot be applied to it. Nothing else is
     * allowed on it.
     */
    private static TableGrant metadataGrant(DataSource described, TableGrant base)
    {
        if (base == TableGrant.UNRESTRICTED) {
            return base;
        }
        RemoteLocation table = described.location();
        String describes = "it holds metadata of %s.%s.%s, ".formatted(lower(table.catalog()), lower(table.schema()), lower(table.table()));
        if (!base.allows(AccessValue.READ)) {
            return TableGrant.refused(base.dataSourceId(), describes + base.refusal().why(AccessValue.READ));
        }
        if (!base.masks().isEmpty() || !base.rowFilters().isEmpty()) {
            return TableGrant.refused(base.dataSourceId(), describes + "Warden data source '%s', which Warden masks or filters for you; metadata tables can show masked values and filtered rows, so they are refused wherever a mask or row filter applies"
                    .formatted(described.id()));
        }
        return new TableGrant(Set.of(AccessValue.READ), GrantedMasks.NONE, GrantedRowFilters.NONE, base.dataSourceId(), base.appliedPolicyIds(),
                _ -> describes + "Warden data source '%s', and metadata tables can only be read".formatted(described.id()));
    }

    /** Who a query acts for in Warden, for the audit; empty when the Trino user maps to no Warden user. */
    public Optional<ActingFor> actingFor(Identity person)
    {
        Optional<String> wardenUser = wardenUser(person.getUser());
        if (wardenUser.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> project = requestedProject(person);
        Snapshot current = snapshot;
        if (project.isEmpty() && current != null) {
            project = Optional.ofNullable(current.state().users().get(wardenUser.get())).flatMap(User::currentProject);
        }
        return Optional.of(new ActingFor(wardenUser.get(), project));
    }

    /**
     * @param project the project named by the query's extra credential, else the user's current project
     */
    public record ActingFor(String wardenUser, Optional<String> project)
    {
        public ActingFor
        {
            requireNonNull(wardenUser, "wardenUser is null");
            requireNonNull(project, "project is null");
        }
    }

    /** The project the query's extra credential names, if it names one. */
    private Optional<String> requestedProject(Identity person)
    {
        return Optional.ofNullable(person.getExtraCredentials().get(config.projectCredential()))
                .map(String::strip)
                .filter(name -> !name.isEmpty());
    }

    /** Whether a schema holds registered tables; before the first snapshot nobody knows, so it might. */
    public boolean mayHoldRegisteredTables(String catalog, String schema)
    {
        Snapshot current = snapshot;
        return current == null || current.tables().hasRegisteredTables(catalog, schema);
    }

    /** Why everything but information for clients is refused before the first snapshot. */
    public String noPoliciesYet()
    {
        String why = replica.lastError().map(error -> "last error: " + error).orElse("still connecting");
        return "Warden has not yet received its policies from %s (%s): tables are refused until it has".formatted(config.serverUri(), why);
    }

    private Identity personAsking(SystemSecurityContext context, Snapshot current)
    {
        Identity caller = context.getIdentity();
        Optional<Identity> person = people.personOf(context.getQueryId());
        if (person.isEmpty()) {
            return caller;
        }
        if (!person.get().getUser().equals(caller.getUser()) && sharesAsDefiner(caller.getUser(), current)) {
            return caller;
        }
        // The person's own identity also when the names match: a view owner's identity lacks the person's credentials.
        return person.get();
    }

    /** Whether a governor allowed this Trino user's definer views to share what the user sees. */
    public boolean sharesAsDefiner(String trinoUser)
    {
        Snapshot current = snapshot;
        return current != null && sharesAsDefiner(trinoUser, current);
    }

    private boolean sharesAsDefiner(String trinoUser, Snapshot current)
    {
        return wardenUser(trinoUser)
                .map(current.state().definerViewOwners()::contains)
                .orElse(false);
    }

    /** The Warden user of a Trino user; remembered, because matching the mapping's expression costs more than a lookup. */
    private Optional<String> wardenUser(String trinoUser)
    {
        Optional<String> wardenUser = wardenUsers.get(trinoUser);
        if (wardenUser == null) {
            wardenUser = config.userMapping().wardenUser(trinoUser);
            if (wardenUsers.size() >= USER_MAPPING_CAPACITY) {
                wardenUsers.clear();
            }
            wardenUsers.put(trinoUser, wardenUser);
        }
        return wardenUser;
    }

    private TableGrant decide(Snapshot current, String wardenUser, Optional<String> project, DataSource dataSource)
    {
        Optional<String> dataSourceId = Optional.of(dataSource.id());
        UserContext user;
        try {
            user = current.users().get(new ActingFor(wardenUser, project), () -> current.state().userContext(wardenUser, project));
        }
        catch (UnknownEntityException e) {
            String acting = project.map(name -> " under project '%s' (extra credential %s)".formatted(name, config.projectCredential())).orElse("");
            return TableGrant.refused(dataSourceId, "it is Warden data source '%s', and Warden cannot act for user '%s'%s: %s"
                    .formatted(dataSource.id(), wardenUser, acting, e.getMessage()));
        }
        Decision decision = current.engine().decide(user, dataSource);
        EnumSet<AccessValue> allowed = EnumSet.noneOf(AccessValue.class);
        for (AccessValue value : decision.accessValues()) {
            if (config.registeredOperations().contains(value)) {
                allowed.add(value);
            }
        }
        SqlRenderer renderer = SqlRenderer.forUser(SqlDialect.TRINO, user).withSaltedSha256(SealedSalts.RENDERING);
        SharedRenderings.Location location = new SharedRenderings.Location(lower(dataSource.location().catalog()), lower(dataSource.location().schema()));
        Map<String, String> maskSqlByColumn = new HashMap<>();
        decision.masks().forEach((column, mask) -> maskSqlByColumn.put(lower(column), renderer.render(mask)));
        GrantedMasks masks = current.renderings().masks(dataSource, location, maskSqlByColumn);
        GrantedRowFilters rowFilters = current.renderings().rowFilters(location, decision.rowFilter().map(renderer::render));
        List<String> applied = decision.userReasons().stream()
                .filter(reason -> reason.outcome() == Reason.Outcome.APPLIED)
                .map(Reason::policyId)
                .filter(current.state().policies()::containsKey)
                .distinct()
                .toList();
        // The refusal keeps what its sentences need, not the decision: a grant lives as long as its revision.
        Set<AccessValue> granted = decision.accessValues();
        String userName = decision.userName();
        List<SubscriptionPolicy> onRequest = onRequest(current.state(), decision);
        return new TableGrant(allowed, masks, rowFilters, dataSourceId, applied,
                TableGrant.Refusal.remembering(wanted -> refusal(dataSource, granted, userName, onRequest, wanted)));
    }

    /** The subscriptions that would grant this data source to the user if they asked for it. */
    private static List<SubscriptionPolicy> onRequest(PolicyState state, Decision decision)
    {
        List<SubscriptionPolicy> policies = null;
        for (Reason reason : decision.userReasons()) {
            if (reason.outcome() == Reason.Outcome.NOT_APPLIED && state.policies().get(reason.policyId()) instanceof SubscriptionPolicy subscription
                    && grantsOnRequest(subscription)) {
                if (policies == null) {
                    policies = new ArrayList<>();
                }
                policies.add(subscription);
            }
        }
        return policies == null ? List.of() : List.copyOf(policies);
    }

    private String refusal(DataSource dataSource, Set<AccessValue> granted, String userName, List<SubscriptionPolicy> onRequest, AccessValue wanted)
    {
        String subject = dataSource.name().equals(dataSource.id())
                ? "it is Warden data source '%s'".formatted(dataSource.id())
                : "it is Warden data source '%s' (%s)".formatted(dataSource.id(), dataSource.name());
        if (wanted == AccessValue.CREATE) {
            return subject + ", and CREATE is never granted on registered data";
        }
        if (!config.registeredOperations().contains(wanted)) {
            return subject + ", and this Trino cluster allows only %s on registered data (%s)"
                    .formatted(sorted(config.registeredOperations()), WardenTrinoConfig.REGISTERED_OPERATIONS);
        }
        if (granted.isEmpty()) {
            return subject + ", to which Warden user '%s' has no access. %s".formatted(userName, howToAsk(dataSource, onRequest, AccessType.READ));
        }
        String needed = wanted == AccessValue.OWN
                ? " OWN comes with a WRITE subscription where Warden's access grant mapping grants it."
                : "";
        return subject + ", on which Warden grants '%s' only %s.%s %s".formatted(userName, sorted(granted), needed,
                howToAsk(dataSource, onRequest, AccessType.WRITE));
    }

    /** How to get access: a request where an "anyone who asks" subscription covers the data source, else whom to ask. */
    private static String howToAsk(DataSource dataSource, List<SubscriptionPolicy> onRequest, AccessType needed)
    {
        Optional<AccessType> askable = onRequest.stream()
                .map(SubscriptionPolicy::accessType)
                .filter(type -> type == needed || type == AccessType.WRITE)
                .min(Enum::compareTo);
        if (askable.isPresent()) {
            return "To ask for it: POST /api/v1/access-requests {\"dataSource\": \"%s\", \"access\": \"%s\"}".formatted(dataSource.id(), askable.get());
        }
        if (!dataSource.owners().isEmpty()) {
            return "Ask its owners for access: " + String.join(", ", dataSource.owners()) + ".";
        }
        return "Ask a Warden governor for access.";
    }

    private static boolean grantsOnRequest(SubscriptionPolicy subscription)
    {
        return subscription.strength() == SubscriptionPolicy.Strength.GRANT
                && subscription.audience() instanceof Audience.AnyoneWhoAsks;
    }

    private String stale()
    {
        long silent = Duration.between(replica.lastContact(), Instant.now()).toSeconds();
        return "Warden has had no contact with its server for %d s (bound %d s): registered data is refused until it is back"
                .formatted(silent, config.stalenessBound().toSeconds());
    }

    static boolean isSystemInformation(CatalogSchemaTableName table)
    {
        return table.getCatalogName().equals("system") || table.getSchemaTableName().getSchemaName().equals("information_schema");
    }

    /**
     * Trino filters what system tables and information_schema show through the access control, but for two tables
     * of {@code system.runtime} (checked in trino-main 476: {@code TaskSystemTable} and {@code TransactionsSystemTable}
     * list every user's), which admins alone see whole; as with registered data, they are decided for the person who
     * asked, also inside a definer view.
     */
    private TableGrant systemInformationGrant(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        if (!table.getCatalogName().equals("system") || !table.getSchemaTableName().getSchemaName().equals("runtime")) {
            return SYSTEM_INFORMATION;
        }
        Identity person = people.personOf(context.getQueryId()).orElse(context.getIdentity());
        if (isAdmin(person)) {
            return SYSTEM_INFORMATION;
        }
        return switch (table.getSchemaTableName().getTableName()) {
            case "tasks" -> ownQueriesTasks(person);
            case "transactions" -> EVERYONES_TRANSACTIONS;
            default -> SYSTEM_INFORMATION;
        };
    }

    /**
     * {@code system.runtime.tasks} lists the tasks of every user's queries, with the rows and bytes each read and wrote.
     * A person sees the tasks of their own queries: those Warden saw start, running or completed within
     * {@link QueryPeople#ENDED_QUERIES_KEPT}, named in the filter. The filter holds only literals so that Trino tests it
     * on each row before the query's own conditions: a filter that joins another table (such as
     * {@code system.runtime.queries}) lets the query's conditions run on other users' rows first, and one that fails
     * there (a division by zero) tells whether such a row exists.
     */
    private TableGrant ownQueriesTasks(Identity person)
    {
        List<String> queries = people.queriesOf(person.getUser());
        String filter = queries.isEmpty() ? "FALSE" : queries.stream()
                .map(id -> "'" + id.replace("'", "''") + "'")
                .collect(Collectors.joining(", ", "query_id IN (", ")"));
        return new TableGrant(SYSTEM_INFORMATION.allowed(), GrantedMasks.NONE,
                new GrantedRowFilters(List.of(new SealableExpression(ViewExpression.builder().expression(filter).build()))),
                Optional.empty(), List.of(), SYSTEM_INFORMATION.refusal());
    }

    private static String sorted(Set<AccessValue> values)
    {
        return values.stream().sorted().map(Enum::name).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String lower(String name)
    {
        return name.toLowerCase(Locale.ROOT);
    }
}
