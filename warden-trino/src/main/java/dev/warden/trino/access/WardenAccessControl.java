package dev.warden.trino.access;

import dev.warden.client.PolicyReplica;
import dev.warden.policy.model.AccessValue;
import dev.warden.trino.audit.QueryLedger;
import dev.warden.trino.config.WardenTrinoConfig;
import dev.warden.trino.jmx.AccessControlMBean;
import dev.warden.trino.jmx.WardenMBeans;
import io.trino.spi.QueryId;
import io.trino.spi.connector.CatalogSchemaName;
import io.trino.spi.connector.CatalogSchemaRoutineName;
import io.trino.spi.connector.CatalogSchemaTableName;
import io.trino.spi.connector.ColumnSchema;
import io.trino.spi.connector.EntityKindAndName;
import io.trino.spi.connector.EntityPrivilege;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryCreatedEvent;
import io.trino.spi.function.SchemaFunctionName;
import io.trino.spi.security.AccessDeniedException;

import io.trino.spi.security.Identity;
import io.trino.spi.security.PrincipalType;
import io.trino.spi.security.Privilege;
import io.trino.spi.security.SystemAccessControl;
import io.trino.spi.security.SystemSecurityContext;
import io.trino.spi.security.TrinoPrincipal;
import io.trino.spi.security.ViewExpression;
import io.trino.spi.type.Type;

import javax.management.ObjectName;

import java.security.Principal;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Warden's policies enforced by Trino at query time: privileges, column masks and row filters decided locally on a
 * replica of the server's policy state, so that no check waits on the network.
 *
 * <p>This class maps Trino's checks to Warden's operations (READ, WRITE, OWN, CREATE) and leaves the deciding to
 * {@link AccessDecider}. Every check fails closed: an unexpected exception while deciding denies.
 */
public final class WardenAccessControl
        implements SystemAccessControl
{
    private static final System.Logger LOG = System.getLogger(WardenAccessControl.class.getName());
    private static final int QUERY_CAPACITY = 50_000;
    private static final String READS_BY_POSITION = "it chooses whether a query reads a file's columns by name or by position, and by position a file "
            + "whose columns are not in the table's order shows one column's values under another column's name and masks";
    /** Why the session properties that are admin-only by default weaken Warden, for their refusals. */
    private static final Map<String, String> WHY_ADMIN_ONLY = Map.of(
            "allow_unsafe_pushdown", "it lets Trino run expressions that may fail ahead of row filters, so that a query's errors can show rows a filter hides",
            "complex_expression_pushdown", "it lets Trino hand a query's own expressions to a connector, whose database (a JDBC catalog's) may run them "
                    + "ahead of row filters, so that a query's errors can show rows a filter hides",
            "orc_use_column_names", READS_BY_POSITION,
            "parquet_use_column_names", READS_BY_POSITION);

    /** Trino's own procedure asks {@link #checkCanKillQueryOwnedBy} for the query it kills: anyone may kill their own. */
    private static final CatalogSchemaRoutineName KILL_QUERY = new CatalogSchemaRoutineName("system", "runtime", "kill_query");

    private final WardenTrinoConfig config;
    private final PolicyReplica replica;
    private final QueryLedger ledger;
    private final QueryPeople people = new QueryPeople(QUERY_CAPACITY);
    private final AccessDecider decider;
    private final SealedSalts salts;
    private final AccessControlStats stats;
    private volatile Optional<ObjectName> mbean = Optional.empty();

    public WardenAccessControl(WardenTrinoConfig config, PolicyReplica replica, QueryLedger ledger)
    {
        this.config = requireNonNull(config, "config is null");
        this.replica = requireNonNull(replica, "replica is null");
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.decider = new AccessDecider(config, replica, people);
        this.salts = SealedSalts.register(config.clientConfig().apiKey());
        this.stats = new AccessControlStats(replica, decider::revision);
        replica.onChange(decider::refresh);
    }

    /**
     * Follows the server in the background: Trino starts (and admins can work) even while the server is down. Shows
     * its {@link AccessControlStats} over JMX until {@link #shutdown}.
     */
    public void start()
    {
        replica.startInBackground();
        mbean = WardenMBeans.register("AccessControl", stats, AccessControlMBean.class);
    }

    /** The name of its MBean, once started; for tests. */
    Optional<ObjectName> mbeanName()
    {
        return mbean;
    }

    /** The policy revision queries are decided on, or -1 before the first snapshot has arrived. */
    public long policyRevision()
    {
        return decider.revision();
    }

    /** How many walks over the registered tables the background planner was given; for tests. */
    long plannerWalks()
    {
        return decider.plannerWalks();
    }

    // ---- identities and queries ----

    @Override
    public void checkCanImpersonateUser(Identity identity, String userName)
    {
        if (!mayImpersonate(identity.getUser(), isAdmin(identity), userName)) {
            stats.denied();
            AccessDeniedException.denyImpersonateUser(identity.getUser(), userName, impersonationRule());
        }
        decider.impersonationAllowed(identity, userName);
    }

    @SuppressWarnings("deprecation")
    @Override
    public void checkCanSetUser(Optional<Principal> principal, String userName)
    {
        if (principal.isEmpty()) {
            return;
        }
        String authenticated = principal.get().getName();
        if (!mayImpersonate(authenticated, isAdminName(authenticated), userName)) {
            stats.denied();
            AccessDeniedException.denySetUser(principal, userName, impersonationRule());
        }
    }

    @Override
    public void checkCanExecuteQuery(Identity identity, QueryId queryId)
    {
        people.started(queryId, identity);
        decider.actingFor(identity).ifPresent(acting -> ledger.recordPerson(queryId.getId(), acting.wardenUser(), acting.project()));
    }

    @Override
    public void checkCanViewQueryOwnedBy(Identity identity, Identity queryOwner)
    {
        if (!mayManageQueryOf(identity, queryOwner)) {
            stats.denied();
            AccessDeniedException.denyViewQuery("only admins may see other users' queries");
        }
    }

    @Override
    public Collection<Identity> filterViewQueryOwnedBy(Identity identity, Collection<Identity> queryOwners)
    {
        return queryOwners.stream().filter(owner -> mayManageQueryOf(identity, owner)).toList();
    }

    @Override
    public void checkCanKillQueryOwnedBy(Identity identity, Identity queryOwner)
    {
        if (!mayManageQueryOf(identity, queryOwner)) {
            stats.denied();
            AccessDeniedException.denyKillQuery("only admins may kill other users' queries");
        }
    }

    @Override
    public void checkCanReadSystemInformation(Identity identity)
    {
        boolean admin = isAdmin(identity);
        if (!admin) {
            stats.denied();
        }
        checkReadSystemInformation(admin);
    }

    @Override
    public void checkCanWriteSystemInformation(Identity identity)
    {
        boolean admin = isAdmin(identity);
        if (!admin) {
            stats.denied();
        }
        checkWriteSystemInformation(admin);
    }

    /** Reading and writing system information are for admins. */
    static void checkReadSystemInformation(boolean admin)
    {
        if (!admin) {
            AccessDeniedException.denyReadSystemInformationAccess("only Warden admins may read system information");
        }
    }

    static void checkWriteSystemInformation(boolean admin)
    {
        if (!admin) {
            AccessDeniedException.denyWriteSystemInformationAccess("only Warden admins may write system information");
        }
    }

    /**
     * Trino asks this for {@code SET SESSION} and for each system session property of a query's session as the query
     * starts. Only admins may set those that weaken Warden: {@code allow_unsafe_pushdown} lets Trino push expressions
     * that may fail below joins, ahead of a table's row filter, where their errors name values of rows the filter
     * hides (tested).
     */
    @Override
    public void checkCanSetSystemSessionProperty(Identity identity, QueryId queryId, String propertyName)
    {
        String property = propertyName.toLowerCase(Locale.ROOT);
        if (config.adminOnlySessionProperties().contains(property) && !isAdmin(identity)) {
            throw denial(queryId, "Cannot set system session property " + propertyName + ": " + whyAdminOnly(property, WardenTrinoConfig.ADMIN_ONLY_SESSION_PROPERTIES));
        }
    }

    /**
     * Trino asks this for {@code SET SESSION} and for each catalog session property of a query's session as the query
     * starts, so an admin-only property is refused before the query runs, and a property with which an INSERT may
     * replace rows already in a table marks the query before it names any table.
     */
    @Override
    public void checkCanSetCatalogSessionProperty(SystemSecurityContext context, String catalogName, String propertyName)
    {
        String property = propertyName.toLowerCase(Locale.ROOT);
        if (config.adminOnlyCatalogSessionProperties().contains(property) && !isAdmin(context.getIdentity())) {
            throw denial(context, "Cannot set catalog session property " + catalogName + "." + propertyName + ": "
                    + whyAdminOnly(property, WardenTrinoConfig.ADMIN_ONLY_CATALOG_SESSION_PROPERTIES));
        }
        if (context.getQueryId() != null && config.overwritingSessionProperties().contains(property)) {
            people.overwriting(context.getQueryId(), catalogName, propertyName);
        }
    }

    private static String whyAdminOnly(String property, String listedIn)
    {
        String why = WHY_ADMIN_ONLY.getOrDefault(property, "Warden's configuration lists it as weakening what Warden enforces");
        return why + "; only Warden admins may set it (" + listedIn + ")";
    }

    // ---- catalogs and schemas: containers, visible to all; changing them is CREATE or OWN on unregistered data ----

    @Override
    public boolean canAccessCatalog(SystemSecurityContext context, String catalogName)
    {
        return true;
    }

    @Override
    public Set<String> filterCatalogs(SystemSecurityContext context, Set<String> catalogs)
    {
        return catalogs;
    }

    @Override
    public void checkCanCreateCatalog(SystemSecurityContext context, String catalogName)
    {
        requireAdmin(context, "create catalog " + catalogName);
    }

    @Override
    public void checkCanDropCatalog(SystemSecurityContext context, String catalogName)
    {
        requireAdmin(context, "drop catalog " + catalogName);
    }

    @Override
    public void checkCanCreateSchema(SystemSecurityContext context, CatalogSchemaName schema, Map<String, Object> properties)
    {
        requireOnSchema(context, schema, AccessValue.CREATE, "create schema");
    }

    @Override
    public void checkCanDropSchema(SystemSecurityContext context, CatalogSchemaName schema)
    {
        requireOnSchema(context, schema, AccessValue.OWN, "drop schema");
    }

    @Override
    public void checkCanRenameSchema(SystemSecurityContext context, CatalogSchemaName schema, String newSchemaName)
    {
        requireOnSchema(context, schema, AccessValue.OWN, "rename schema");
    }

    @Override
    public void checkCanSetSchemaAuthorization(SystemSecurityContext context, CatalogSchemaName schema, TrinoPrincipal principal)
    {
        requireOnSchema(context, schema, AccessValue.OWN, "set authorization on schema");
    }

    @Override
    public void checkCanShowSchemas(SystemSecurityContext context, String catalogName) {}

    @Override
    public Set<String> filterSchemas(SystemSecurityContext context, String catalogName, Set<String> schemaNames)
    {
        return schemaNames;
    }

    @Override
    public void checkCanShowCreateSchema(SystemSecurityContext context, CatalogSchemaName schemaName) {}

    @Override
    public void checkCanGrantSchemaPrivilege(SystemSecurityContext context, Privilege privilege, CatalogSchemaName schema, TrinoPrincipal grantee, boolean grantOption)
    {
        requireOnSchema(context, schema, AccessValue.OWN, "grant privileges on schema");
    }

    @Override
    public void checkCanDenySchemaPrivilege(SystemSecurityContext context, Privilege privilege, CatalogSchemaName schema, TrinoPrincipal grantee)
    {
        requireOnSchema(context, schema, AccessValue.OWN, "deny privileges on schema");
    }

    @Override
    public void checkCanRevokeSchemaPrivilege(SystemSecurityContext context, Privilege privilege, CatalogSchemaName schema, TrinoPrincipal revokee, boolean grantOption)
    {
        requireOnSchema(context, schema, AccessValue.OWN, "revoke privileges on schema");
    }

    // ---- tables, views and materialized views ----

    @Override
    public void checkCanShowTables(SystemSecurityContext context, CatalogSchemaName schema) {}

    @Override
    public Set<SchemaTableName> filterTables(SystemSecurityContext context, String catalogName, Set<SchemaTableName> tableNames)
    {
        Set<SchemaTableName> visible = new HashSet<>();
        for (SchemaTableName table : tableNames) {
            if (isVisible(context, new CatalogSchemaTableName(catalogName, table))) {
                visible.add(table);
            }
        }
        return visible;
    }

    @Override
    public void checkCanShowColumns(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        require(context, table, AccessValue.READ, "show columns of table");
    }

    @Override
    public Set<String> filterColumns(SystemSecurityContext context, CatalogSchemaTableName table, Set<String> columns)
    {
        return isVisible(context, table) ? columns : Set.of();
    }

    @Override
    public Map<SchemaTableName, Set<String>> filterColumns(SystemSecurityContext context, String catalogName, Map<SchemaTableName, Set<String>> tableColumns)
    {
        Map<SchemaTableName, Set<String>> visible = new HashMap<>();
        tableColumns.forEach((table, columns) -> {
            if (isVisible(context, new CatalogSchemaTableName(catalogName, table))) {
                visible.put(table, columns);
            }
        });
        return visible;
    }

    /**
     * Trino also asks this for the table a {@code CREATE TABLE (LIKE t INCLUDING PROPERTIES)} copies its properties
     * from, just before it asks {@link #checkCanCreateTable} with only the properties the statement names.
     */
    @Override
    public void checkCanShowCreateTable(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        TableGrant grant = require(context, table, AccessValue.READ, "show create table");
        if (grant.dataSourceId().isPresent() && context.getQueryId() != null) {
            people.showingPropertiesOf(context.getQueryId(), table);
        }
    }

    @Override
    public void checkCanSelectFromColumns(SystemSecurityContext context, CatalogSchemaTableName table, Set<String> columns)
    {
        require(context, table, AccessValue.READ, "select from table");
    }

    @Override
    public void checkCanCreateViewWithSelectFromColumns(SystemSecurityContext context, CatalogSchemaTableName table, Set<String> columns)
    {
        require(context, table, AccessValue.READ, "select from table");
    }

    /**
     * Trino makes every row an INSERT writes into a filtered table pass the person's row filter. A session property
     * such as Hive's {@code insert_existing_partitions_behavior=OVERWRITE} lets the INSERT replace the rows already
     * in the partitions it writes, those the filter hides among them: a query that sets one may insert into a
     * registered table of that catalog only where Warden does not filter its rows for the person.
     */
    @Override
    public void checkCanInsertIntoTable(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        TableGrant grant = require(context, table, AccessValue.WRITE, "insert into table");
        noteWriteTarget(context, table, grant);
        if (!grant.rowFilters().isEmpty() && context.getQueryId() != null) {
            Optional<String> overwriting = people.overwritingPropertyIn(context.getQueryId(), table.getCatalogName());
            if (overwriting.isPresent()) {
                throw denial(context, "insert into table", table, ("it is Warden data source '%s', whose rows Warden filters for you, and this query sets session property "
                        + "%s.%s, with which an INSERT may replace rows already in the table, the rows you do not see among them (%s)")
                        .formatted(grant.dataSourceId().orElseThrow(), table.getCatalogName(), overwriting.get(), WardenTrinoConfig.OVERWRITING_SESSION_PROPERTIES));
            }
        }
    }

    @Override
    public void checkCanDeleteFromTable(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        require(context, table, AccessValue.WRITE, "delete from table");
    }

    /**
     * {@code TRUNCATE} removes every row, and Trino applies no row filter to it (a {@code DELETE} removes only the rows
     * the person's filter shows): a person whose rows Warden filters may not truncate.
     */
    @Override
    public void checkCanTruncateTable(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        TableGrant grant = require(context, table, AccessValue.WRITE, "truncate table");
        if (!grant.rowFilters().isEmpty()) {
            throw denial(context, "truncate table", table, ("it is Warden data source '%s', whose rows Warden filters for you, and TRUNCATE would also remove "
                    + "the rows you do not see; DELETE removes only the rows you see").formatted(grant.dataSourceId().orElseThrow()));
        }
    }

    @Override
    public void checkCanUpdateTableColumns(SystemSecurityContext context, CatalogSchemaTableName table, Set<String> updatedColumnNames)
    {
        noteWriteTarget(context, table, require(context, table, AccessValue.WRITE, "update table"));
    }

    /**
     * Trino asks this before it analyses the view's query as the person refreshing it, so the registered tables that
     * query reads are then decided knowing their rows will be stored for every reader of the view.
     */
    @Override
    public void checkCanRefreshMaterializedView(SystemSecurityContext context, CatalogSchemaTableName view)
    {
        require(context, view, AccessValue.WRITE, "refresh materialized view");
        if (context.getQueryId() != null) {
            people.refreshing(context.getQueryId(), view);
        }
    }

    @Override
    public void checkCanCreateTable(SystemSecurityContext context, CatalogSchemaTableName table, Map<String, Object> properties)
    {
        noteWriteTarget(context, table, require(context, table, AccessValue.CREATE, "create table"));
        requireAdminForExternalLocation(context, "create table", table, properties.keySet());
        Optional<CatalogSchemaTableName> copiedFrom = context.getQueryId() == null ? Optional.empty() : people.propertiesShownOf(context.getQueryId());
        if (copiedFrom.isPresent() && !config.externalLocationProperties().isEmpty() && !isAdmin(context.getIdentity())) {
            throw denial(context, "create table", table, ("it would copy the properties of registered table %s (LIKE ... INCLUDING PROPERTIES), which may point "
                    + "at its files; only Warden admins may (%s)").formatted(copiedFrom.get(), WardenTrinoConfig.EXTERNAL_LOCATION_PROPERTIES));
        }
    }

    @Override
    public void checkCanCreateView(SystemSecurityContext context, CatalogSchemaTableName view)
    {
        require(context, view, AccessValue.CREATE, "create view");
    }

    @Override
    public void checkCanCreateMaterializedView(SystemSecurityContext context, CatalogSchemaTableName view, Map<String, Object> properties)
    {
        require(context, view, AccessValue.CREATE, "create materialized view");
    }

    @Override
    public void checkCanDropTable(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        require(context, table, AccessValue.OWN, "drop table");
    }

    @Override
    public void checkCanDropView(SystemSecurityContext context, CatalogSchemaTableName view)
    {
        require(context, view, AccessValue.OWN, "drop view");
    }

    @Override
    public void checkCanDropMaterializedView(SystemSecurityContext context, CatalogSchemaTableName view)
    {
        require(context, view, AccessValue.OWN, "drop materialized view");
    }

    @Override
    public void checkCanRenameTable(SystemSecurityContext context, CatalogSchemaTableName table, CatalogSchemaTableName newTable)
    {
        requireAdminToRenameRegistered(context, "rename table", table, require(context, table, AccessValue.OWN, "rename table"));
        require(context, newTable, AccessValue.CREATE, "rename a table to");
    }

    @Override
    public void checkCanRenameView(SystemSecurityContext context, CatalogSchemaTableName view, CatalogSchemaTableName newView)
    {
        requireAdminToRenameRegistered(context, "rename view", view, require(context, view, AccessValue.OWN, "rename view"));
        require(context, newView, AccessValue.CREATE, "rename a view to");
    }

    @Override
    public void checkCanRenameMaterializedView(SystemSecurityContext context, CatalogSchemaTableName view, CatalogSchemaTableName newView)
    {
        requireAdminToRenameRegistered(context, "rename materialized view", view, require(context, view, AccessValue.OWN, "rename materialized view"));
        require(context, newView, AccessValue.CREATE, "rename a materialized view to");
    }

    @Override
    public void checkCanSetTableProperties(SystemSecurityContext context, CatalogSchemaTableName table, Map<String, Optional<Object>> properties)
    {
        require(context, table, AccessValue.OWN, "set properties of table");
        requireAdminForExternalLocation(context, "set properties of table", table, properties.keySet());
    }

    /**
     * A table pointed at files that already exist (Hive's {@code external_location}) reads whatever they hold, a
     * registered table's rows among them, as unregistered data: Warden knows registered tables by name, not by where
     * their files lie.
     */
    private void requireAdminForExternalLocation(SystemSecurityContext context, String action, CatalogSchemaTableName table, Set<String> properties)
    {
        if (isAdmin(context.getIdentity())) {
            return;
        }
        for (String property : properties) {
            if (config.externalLocationProperties().contains(property.toLowerCase(Locale.ROOT))) {
                throw denial(context, action, table, ("table property %s points a table at files that already exist, which may hold a registered table's data; "
                        + "only Warden admins may set it (%s)").formatted(property, WardenTrinoConfig.EXTERNAL_LOCATION_PROPERTIES));
            }
        }
    }

    @Override
    public void checkCanSetMaterializedViewProperties(SystemSecurityContext context, CatalogSchemaTableName view, Map<String, Optional<Object>> properties)
    {
        require(context, view, AccessValue.OWN, "set properties of materialized view");
    }

    @Override
    public void checkCanSetTableComment(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        require(context, table, AccessValue.OWN, "comment on table");
    }

    @Override
    public void checkCanSetViewComment(SystemSecurityContext context, CatalogSchemaTableName view)
    {
        require(context, view, AccessValue.OWN, "comment on view");
    }

    @Override
    public void checkCanSetColumnComment(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        require(context, table, AccessValue.OWN, "comment on a column of");
    }

    @Override
    public void checkCanAddColumn(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        require(context, table, AccessValue.OWN, "add a column to table");
    }

    @Override
    public void checkCanAlterColumn(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        require(context, table, AccessValue.OWN, "alter a column of table");
    }

    /**
     * Dropping a column removes it from the table's schema, not its values from the table's files. A connector that
     * reads columns by position (Hive's ORC tables by default, its text formats always) then shows them under the name
     * of the column after it, past the masks written for the dropped one, for everyone.
     */
    @Override
    public void checkCanDropColumn(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        requireAdminOnRegistered(context, "drop a column of table", table, require(context, table, AccessValue.OWN, "drop a column of table"),
                "and a dropped column's values stay in the table's files, where a connector that reads columns by position (Hive's ORC and text formats) "
                        + "shows them under the next column's name, past the masks written for the dropped one; only Warden admins may drop columns of "
                        + "registered tables");
    }

    @Override
    public void checkCanRenameColumn(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        requireAdminToRenameRegistered(context, "rename a column of table", table, require(context, table, AccessValue.OWN, "rename a column of table"));
    }

    /**
     * Warden knows a data source's table and columns by their names. Renamed, a table would be read as unregistered
     * data and a column would meet none of the masks written for it, for everyone, the person renaming among them.
     */
    private void requireAdminToRenameRegistered(SystemSecurityContext context, String action, CatalogSchemaTableName table, TableGrant grant)
    {
        requireAdminOnRegistered(context, action, table, grant, "which Warden knows by its table's and columns' names: renamed, they would escape the "
                + "policies written for them; only Warden admins may rename them, once a Warden governor has registered the new names");
    }

    /** Refuses {@code action} on a registered table to everyone but admins; {@code why} follows the data source's name. */
    private void requireAdminOnRegistered(SystemSecurityContext context, String action, CatalogSchemaTableName table, TableGrant grant, String why)
    {
        if (grant.dataSourceId().isPresent() && !isAdmin(context.getIdentity())) {
            throw denial(context, action, table, "it is Warden data source '" + grant.dataSourceId().get() + "', " + why);
        }
    }

    @Override
    public void checkCanSetTableAuthorization(SystemSecurityContext context, CatalogSchemaTableName table, TrinoPrincipal principal)
    {
        require(context, table, AccessValue.OWN, "set authorization on table");
    }

    /**
     * Handing a view to a user whose definer views share what they see would let anyone publish that user's data:
     * only admins and that user may. A view handed to a role is run as a user of the role's name (a view's owner is
     * only a name to Trino), so roles are held to the same rule.
     */
    @Override
    public void checkCanSetViewAuthorization(SystemSecurityContext context, CatalogSchemaTableName view, TrinoPrincipal principal)
    {
        require(context, view, AccessValue.OWN, "set authorization on view");
        Identity caller = context.getIdentity();
        boolean callerIsThatUser = principal.getType() == PrincipalType.USER && principal.getName().equals(caller.getUser());
        if (!callerIsThatUser && !isAdmin(caller) && decider.sharesAsDefiner(principal.getName())) {
            throw denial(context, "Cannot set authorization on view %s to %s: only Warden admins may hand a view to a user whose definer views share what they see (definerViewOwners)"
                    .formatted(view, principal.getName()));
        }
    }

    @Override
    public void checkCanGrantTablePrivilege(SystemSecurityContext context, Privilege privilege, CatalogSchemaTableName table, TrinoPrincipal grantee, boolean grantOption)
    {
        require(context, table, AccessValue.OWN, "grant privileges on table");
    }

    @Override
    public void checkCanDenyTablePrivilege(SystemSecurityContext context, Privilege privilege, CatalogSchemaTableName table, TrinoPrincipal grantee)
    {
        require(context, table, AccessValue.OWN, "deny privileges on table");
    }

    @Override
    public void checkCanRevokeTablePrivilege(SystemSecurityContext context, Privilege privilege, CatalogSchemaTableName table, TrinoPrincipal revokee, boolean grantOption)
    {
        require(context, table, AccessValue.OWN, "revoke privileges on table");
    }

    @Override
    public void checkCanExecuteTableProcedure(SystemSecurityContext context, CatalogSchemaTableName table, String procedure)
    {
        require(context, table, AccessValue.OWN, "execute " + procedure + " on table");
        if (config.externalFileProcedures().contains(procedure.toLowerCase(Locale.ROOT)) && !isAdmin(context.getIdentity())) {
            throw denial(context, "execute " + procedure + " on table", table, ("it adds files from elsewhere to the table, which may be a registered table's; "
                    + "only Warden admins may (%s)").formatted(WardenTrinoConfig.EXTERNAL_FILE_PROCEDURES));
        }
    }

    @Override
    public void checkCanGrantEntityPrivilege(SystemSecurityContext context, EntityPrivilege privilege, EntityKindAndName entity, TrinoPrincipal grantee, boolean grantOption)
    {
        requireAdmin(context, "grant privileges on " + entity);
    }

    @Override
    public void checkCanDenyEntityPrivilege(SystemSecurityContext context, EntityPrivilege privilege, EntityKindAndName entity, TrinoPrincipal grantee)
    {
        requireAdmin(context, "deny privileges on " + entity);
    }

    @Override
    public void checkCanRevokeEntityPrivilege(SystemSecurityContext context, EntityPrivilege privilege, EntityKindAndName entity, TrinoPrincipal revokee, boolean grantOption)
    {
        requireAdmin(context, "revoke privileges on " + entity);
    }

    // ---- roles: Warden's decisions never depend on them; managing them is the connectors' business ----

    @Override
    public void checkCanShowRoles(SystemSecurityContext context) {}

    @Override
    public void checkCanShowCurrentRoles(SystemSecurityContext context) {}

    @Override
    public void checkCanShowRoleGrants(SystemSecurityContext context) {}

    @Override
    public void checkCanCreateRole(SystemSecurityContext context, String role, Optional<TrinoPrincipal> grantor) {}

    @Override
    public void checkCanDropRole(SystemSecurityContext context, String role) {}

    @Override
    public void checkCanGrantRoles(SystemSecurityContext context, Set<String> roles, Set<TrinoPrincipal> grantees, boolean adminOption, Optional<TrinoPrincipal> grantor) {}

    @Override
    public void checkCanRevokeRoles(SystemSecurityContext context, Set<String> roles, Set<TrinoPrincipal> grantees, boolean adminOption, Optional<TrinoPrincipal> grantor) {}

    // ---- routines ----

    /**
     * Procedures (such as a JDBC connector's {@code system.execute}) can pass SQL to the data source unchecked, and
     * are for admins; but for {@code system.runtime.kill_query}, which only kills a query its checks allow.
     */
    @Override
    public void checkCanExecuteProcedure(SystemSecurityContext context, CatalogSchemaRoutineName procedure)
    {
        if (procedure.equals(KILL_QUERY)) {
            return;
        }
        requireAdmin(context, "execute procedure " + procedure);
    }

    /**
     * Trino asks this for a table function before the function analyses its arguments, so the tables a function that
     * reads past masks and filters names are then decided knowing that.
     */
    @Override
    public boolean canExecuteFunction(SystemSecurityContext context, CatalogSchemaRoutineName function)
    {
        if (!allowFunction(context, function)) {
            return false;
        }
        if (context.getQueryId() != null && config.unmaskedFunctions().contains(function.getRoutineName().toLowerCase(Locale.ROOT))) {
            people.runningUnmasked(context.getQueryId(), function);
        }
        return true;
    }

    @Override
    public boolean canCreateViewWithExecuteFunction(SystemSecurityContext context, CatalogSchemaRoutineName function)
    {
        return allowFunction(context, function);
    }

    @Override
    public void checkCanShowFunctions(SystemSecurityContext context, CatalogSchemaName schema) {}

    @Override
    public Set<SchemaFunctionName> filterFunctions(SystemSecurityContext context, String catalogName, Set<SchemaFunctionName> functionNames)
    {
        Set<SchemaFunctionName> allowed = new HashSet<>();
        for (SchemaFunctionName function : functionNames) {
            if (!isBlocked(function.getFunctionName())) {
                allowed.add(function);
            }
        }
        return allowed;
    }

    @Override
    public void checkCanCreateFunction(SystemSecurityContext context, CatalogSchemaRoutineName function)
    {
        requireOnSchema(context, new CatalogSchemaName(function.getCatalogName(), function.getSchemaName()), AccessValue.CREATE, "create function " + function + " in schema");
    }

    @Override
    public void checkCanDropFunction(SystemSecurityContext context, CatalogSchemaRoutineName function)
    {
        requireOnSchema(context, new CatalogSchemaName(function.getCatalogName(), function.getSchemaName()), AccessValue.OWN, "drop function " + function + " in schema");
    }

    @Override
    public void checkCanShowCreateFunction(SystemSecurityContext context, CatalogSchemaRoutineName function) {}

    // ---- masks and row filters ----

    @Override
    public List<ViewExpression> getRowFilters(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        return readableGrant(context, table).rowFilters().of(queryIdOf(context), salts);
    }

    @Override
    public Map<ColumnSchema, ViewExpression> getColumnMasks(SystemSecurityContext context, CatalogSchemaTableName table, List<ColumnSchema> columns)
    {
        if (AccessDecider.isSystemInformation(table)) {
            return Map.of();
        }
        return readableGrant(context, table).masks().of(columns, queryIdOf(context), salts);
    }

    /**
     * Trino 476 asks {@link #getColumnMasks}; answering this one as that one would for the one column keeps any caller
     * of it masked too. It is not told whether a column is hidden, but no data source lists a hidden column, so one is
     * NULL here too wherever anything is masked.
     */
    @SuppressWarnings("deprecation")
    @Override
    public Optional<ViewExpression> getColumnMask(SystemSecurityContext context, CatalogSchemaTableName table, String columnName, Type type)
    {
        if (AccessDecider.isSystemInformation(table)) {
            return Optional.empty();
        }
        ColumnSchema column = ColumnSchema.builder().setName(columnName).setType(type).build();
        return Optional.ofNullable(readableGrant(context, table).masks().of(List.of(column), queryIdOf(context), salts).get(column));
    }

    /** The query a mask or filter is for; a salt sealed for no query ({@code ""}) opens in none. */
    private static String queryIdOf(SystemSecurityContext context)
    {
        return context.getQueryId() == null ? "" : context.getQueryId().getId();
    }

    @Override
    public Iterable<EventListener> getEventListeners()
    {
        return List.of(new EventListener()
        {
            /** Trino reports a query's creation as it dispatches it, before it analyses the query on another thread. */
            @Override
            public void queryCreated(QueryCreatedEvent event)
            {
                event.getContext().getQueryType().ifPresent(type -> people.created(event.getMetadata().getQueryId(), type));
            }

            @Override
            public void queryCompleted(QueryCompletedEvent event)
            {
                people.completed(event.getMetadata().getQueryId());
            }
        });
    }

    @Override
    public void shutdown()
    {
        WardenMBeans.unregister(mbean);
        replica.close();
        decider.close();
    }

    // ---- helpers ----

    private boolean isAdmin(Identity identity)
    {
        return decider.isAdmin(identity);
    }

    private boolean isAdminName(String user)
    {
        return decider.isAdminName(user);
    }

    private boolean mayImpersonate(String user, boolean admin, String target)
    {
        if (user.equals(target) || admin) {
            return true;
        }
        return config.impersonators().contains(user) && !isAdminName(target);
    }

    private static String impersonationRule()
    {
        return "only Warden admins and " + WardenTrinoConfig.IMPERSONATORS + " may impersonate, and only admins may impersonate an admin";
    }

    private boolean mayManageQueryOf(Identity identity, Identity queryOwner)
    {
        return identity.getUser().equals(queryOwner.getUser()) || isAdmin(identity);
    }

    private boolean isBlocked(String functionName)
    {
        return config.blockedFunctions().contains(functionName.toLowerCase(Locale.ROOT));
    }

    private boolean allowFunction(SystemSecurityContext context, CatalogSchemaRoutineName function)
    {
        if (isBlocked(function.getRoutineName())) {
            recordDenial(context.getQueryId(), "Cannot execute function " + function + ": Warden blocks table functions that pass SQL to a data source unchecked (" + WardenTrinoConfig.BLOCKED_FUNCTIONS + ")");
            return false;
        }
        return true;
    }

    private boolean isVisible(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        try {
            return decider.grant(context, table).allows(AccessValue.READ);
        }
        catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "hiding " + table + ": Warden could not decide", e);
            stats.undecided();
            return false;
        }
    }

    /**
     * The grant whose masks and filters apply to a table, recorded in the ledger. For registered data a person may not
     * read, asking for masks is already refused: Trino asks for a definer view's base tables before any check.
     * Unregistered tables have no masks and are left to the checks (an INSERT needs no READ).
     * <p>
     * Trino asks for a table's masks and filters wherever a query reads it, {@code SHOW STATS} too, which prints the
     * connector's statistics of all its rows: those are refused wherever anything is masked or filtered for the person.
     */
    private TableGrant readableGrant(SystemSecurityContext context, CatalogSchemaTableName table)
    {
        TableGrant grant = decide(context, table, "select from table");
        if (grant.dataSourceId().isEmpty()) {
            return grant;
        }
        if (!grant.allows(AccessValue.READ)) {
            throw denial(context, "select from table", table, grant.refusal().why(AccessValue.READ));
        }
        if ((!grant.masks().isEmpty() || !grant.rowFilters().isEmpty()) && people.mayShowStatistics(context.getQueryId()) && ShowStatistics.areBeingComputed()) {
            throw denial(context, "show statistics of table", table, ("it is Warden data source '%s', which Warden masks or filters for you, and SHOW STATS "
                    + "shows statistics of all its rows, such as the lowest and highest value of a column over the rows your filter hides too; it is refused "
                    + "wherever a mask or row filter applies").formatted(grant.dataSourceId().get()));
        }
        return grant;
    }

    /**
     * A query that writes into a table Warden does not govern is noted, so that its reads of registered data are
     * decided as copies for everyone who may read that table (Trino asks about the tables a statement reads after the
     * table it writes). Admins' grants name no data source; Warden never refuses admins a copy.
     */
    private void noteWriteTarget(SystemSecurityContext context, CatalogSchemaTableName table, TableGrant grant)
    {
        if (config.copiesOfRegisteredData() == WardenTrinoConfig.Copies.SHARERS && grant.dataSourceId().isEmpty()
                && context.getQueryId() != null && !AccessDecider.isSystemInformation(table) && !isAdmin(context.getIdentity())) {
            people.writingUnregistered(context.getQueryId(), table);
        }
    }

    private TableGrant require(SystemSecurityContext context, CatalogSchemaTableName table, AccessValue wanted, String action)
    {
        TableGrant grant = decide(context, table, action);
        if (!grant.allows(wanted)) {
            throw denial(context, action, table, grant.refusal().why(wanted));
        }
        return grant;
    }

    private TableGrant decide(SystemSecurityContext context, CatalogSchemaTableName table, String action)
    {
        TableGrant grant;
        try {
            grant = decider.grant(context, table);
        }
        catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "denying: Warden could not decide on " + table, e);
            stats.undecided();
            throw denial(context, action, table, "Warden could not decide (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        if (grant.dataSourceId().isPresent() && context.getQueryId() != null) {
            ledger.recordPolicies(context.getQueryId().getId(), grant.dataSourceId().get(), grant.appliedPolicyIds());
        }
        return grant;
    }

    private void requireOnSchema(SystemSecurityContext context, CatalogSchemaName schema, AccessValue wanted, String action)
    {
        if (isAdmin(context.getIdentity())) {
            return;
        }
        String reason;
        if (!decider.hasPolicies()) {
            reason = decider.noPoliciesYet();
        }
        else if (wanted != AccessValue.CREATE && decider.mayHoldRegisteredTables(schema.getCatalogName(), schema.getSchemaName())) {
            reason = "it holds tables registered in Warden; only Warden admins may do this";
        }
        else if (!config.unregisteredOperationsIn(schema.getCatalogName()).contains(wanted)) {
            reason = "this Trino cluster does not allow " + wanted + " on data Warden does not govern in catalog " + schema.getCatalogName()
                    + " (" + config.unregisteredOperationsPropertyOf(schema.getCatalogName()) + ")";
        }
        else {
            return;
        }
        throw denial(context, "Cannot %s %s: %s".formatted(action, schema, reason));
    }

    private void requireAdmin(SystemSecurityContext context, String action)
    {
        if (!isAdmin(context.getIdentity())) {
            throw denial(context, "Cannot %s: only Warden admins may".formatted(action));
        }
    }

    private AccessDeniedException denial(SystemSecurityContext context, String action, CatalogSchemaTableName table, String reason)
    {
        // Concatenated, not formatted: denials of registered tables are frequent enough to be on the hot path.
        return denial(context, "Cannot " + action + " " + table + ": " + reason);
    }

    private AccessDeniedException denial(SystemSecurityContext context, String message)
    {
        return denial(context.getQueryId(), message);
    }

    /** The exception to throw for a denial, recorded in the ledger. */
    private AccessDeniedException denial(QueryId queryId, String message)
    {
        recordDenial(queryId, message);
        return new Denial(message);
    }

    private void recordDenial(QueryId queryId, String message)
    {
        stats.denied();
        if (queryId != null) {
            ledger.recordDenial(queryId.getId(), AccessDeniedException.PREFIX + message);
        }
    }

    /**
     * A denial is an answer, not a failure: its message says everything, and the stack it was thrown from (Trino's
     * analyzer, a hundred frames deep) says nothing, so it is not recorded. Filling it in would cost more than
     * deciding.
     */
    private static final class Denial
            extends AccessDeniedException
    {
        Denial(String message)
        {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace()
        {
            return this;
        }
    }
}
