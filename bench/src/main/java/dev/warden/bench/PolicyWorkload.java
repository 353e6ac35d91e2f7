package dev.warden.bench;

import dev.warden.policy.expr.TimeUnit;
import dev.warden.policy.model.AccessApproval;
import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.Group;
import dev.warden.policy.model.ObjectType;
import dev.warden.policy.model.Project;
import dev.warden.policy.model.Purpose;
import dev.warden.policy.model.RemoteLocation;
import dev.warden.policy.model.SqlType;
import dev.warden.policy.model.Tag;
import dev.warden.policy.model.User;
import dev.warden.policy.policies.Applicability;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.ColumnChoice;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.Condition;
import dev.warden.policy.policies.CustomSql;
import dev.warden.policy.policies.MaskMethod;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.PolicyScope;
import dev.warden.policy.policies.RowPolicy;
import dev.warden.policy.policies.RowRule;
import dev.warden.policy.policies.SubscriptionPolicy;
import dev.warden.policy.state.PolicyState;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * A deterministic, realistic policy state for benchmarks: hierarchical tags ({@code Domain17.Field42}), users
 * with many attributes and several groups, data sources whose columns are tagged mostly from one home domain,
 * and a mix of global subscription, masking and row-level policies. The same shape and seed always give the
 * same state.
 *
 * <p>Every string, tag and type of a data source is created afresh, as a loader parsing a catalog would, so
 * that the heap footprint measured on it is not flattered by sharing the generator happens to do.
 */
public final class PolicyWorkload
{
    public static final long SEED = 20_240_602L;

    /**
     * @param tagRoots number of root tags; each has {@code tagChildrenPerRoot} children, so there are
     *        {@code tagRoots * (1 + tagChildrenPerRoot)} tags in all
     */
    public record Shape(
            int users,
            int attributesPerUser,
            int groups,
            int dataSources,
            int columnsPerDataSource,
            int globalPolicies,
            int tagRoots,
            int tagChildrenPerRoot)
    {
        public Shape
        {
            if (attributesPerUser > ATTRIBUTE_KEYS.size()) {
                throw new IllegalArgumentException("at most " + ATTRIBUTE_KEYS.size() + " attributes per user");
            }
            if (columnsPerDataSource > COLUMN_POOL.size()) {
                throw new IllegalArgumentException("at most " + COLUMN_POOL.size() + " columns per data source");
            }
        }

        /** Issue #2's decision workload: 20 attributes, 50 columns, 1,000 global policies, 10,000 tags. */
        public static Shape decision()
        {
            return new Shape(500, 20, 40, 2_000, 50, 1_000, 100, 99);
        }

        /** Issue #3's server workload: 10,000 users, 10,000 data sources of 30 columns, the decision workload's policies and tags. */
        public static Shape server()
        {
            Shape decision = decision();
            return new Shape(10_000, decision.attributesPerUser(), decision.groups(), 10_000, 30, decision.globalPolicies(), decision.tagRoots(), decision.tagChildrenPerRoot());
        }

        /** Issue #2's footprint workload: 100,000 data sources of 30 columns, with the same people, tags and policies. */
        public static Shape footprint()
        {
            return new Shape(500, 20, 40, 100_000, 30, 1_000, 100, 99);
        }

        public int tagCount()
        {
            return tagRoots * (1 + tagChildrenPerRoot);
        }
    }

    private record ColumnSpec(String name, String type) {}

    private static final List<String> ATTRIBUTE_KEYS = List.of(
            "department", "region", "country", "clearance", "cost_center", "employment_type", "seniority", "team",
            "office", "business_unit", "language", "data_domain", "manager_level", "project_code", "security_zone",
            "contract", "shift", "division", "tenure_band", "location", "legal_entity", "job_family");

    /** Values per attribute key: a condition on one value matches about one user in this many. */
    private static final int VALUES_PER_ATTRIBUTE = 6;

    private static final List<ColumnSpec> COLUMN_POOL = columnPool();

    private static final List<String> PURPOSES = List.of(
            "Fraud Detection", "Marketing Analytics", "Financial Reporting", "Customer Support", "Product Research",
            "Regulatory Audit", "Credit Risk", "Churn Prediction", "Security Operations", "Supply Planning");

    private static final List<String> MASK_PATTERNS = List.of(
            ".*email.*", ".*phone.*", ".*_ssn", "card_.*", ".*iban.*", ".*address.*", "date_of_birth|birth_date",
            ".*passport.*", ".*ip_address", "tax_.*", ".*salary.*", ".*_name", "note.*", ".*token.*", ".*secret.*",
            "geo_.*", ".*_hash", "device_.*", "insurance_.*", "license_.*");

    private final Shape shape;
    private final Random random;
    private final List<Tag> roots = new ArrayList<>();
    private final List<List<Tag>> children = new ArrayList<>();
    private final List<String> userNames = new ArrayList<>();
    private final List<String> groupNames = new ArrayList<>();
    private final List<String> dataSourceIds = new ArrayList<>();
    private long sequence;

    private PolicyWorkload(Shape shape, long seed)
    {
        this.shape = requireNonNull(shape, "shape is null");
        this.random = new Random(seed);
    }

    public static PolicyState build(Shape shape)
    {
        return build(shape, SEED);
    }

    public static PolicyState build(Shape shape, long seed)
    {
        return new PolicyWorkload(shape, seed).state();
    }

    private PolicyState state()
    {
        PolicyState.Builder builder = PolicyState.builder().revision(1);
        for (int r = 0; r < shape.tagRoots(); r++) {
            Tag root = Tag.of("Domain%02d".formatted(r));
            roots.add(root);
            List<Tag> leaves = new ArrayList<>();
            for (int c = 0; c < shape.tagChildrenPerRoot(); c++) {
                Tag leaf = Tag.of(root.path() + ".Field%02d".formatted(c));
                leaves.add(leaf);
                builder.tag(leaf);
            }
            builder.tag(root);
            children.add(leaves);
        }
        PURPOSES.forEach(purpose -> builder.purpose(new Purpose(purpose, "Work on " + purpose.toLowerCase())));
        for (int g = 0; g < shape.groups(); g++) {
            String name = "group%02d".formatted(g);
            groupNames.add(name);
            // A quarter of the groups carry an attribute their members inherit.
            Map<String, Set<String>> attributes = g % 4 == 0
                    ? Map.of("group_role", Set.of("role" + (g % 3)))
                    : Map.of();
            builder.group(new Group(name, attributes));
        }
        List<User> users = new ArrayList<>();
        for (int u = 0; u < shape.users(); u++) {
            String name = "user%04d".formatted(u);
            userNames.add(name);
            users.add(user(name, u));
        }
        users.forEach(builder::user);
        projects(users).forEach(builder::project);
        for (int d = 0; d < shape.dataSources(); d++) {
            DataSource dataSource = dataSource(d);
            dataSourceIds.add(dataSource.id());
            builder.dataSource(dataSource);
        }
        for (int p = 0; p < shape.globalPolicies(); p++) {
            builder.policy(policy(p));
        }
        // Some approved requests, for the grants that admit anyone who asks.
        for (int a = 0; a < Math.min(shape.dataSources(), 1_000); a++) {
            builder.approval(new AccessApproval(pick(userNames), pick(dataSourceIds), random.nextInt(4) == 0 ? AccessType.WRITE : AccessType.READ));
        }
        return builder.build();
    }

    private User user(String name, int number)
    {
        Map<String, Set<String>> attributes = new TreeMap<>();
        for (int k = 0; k < shape.attributesPerUser(); k++) {
            String key = ATTRIBUTE_KEYS.get(k);
            Set<String> values = new TreeSet<>();
            values.add(attributeValue(key, random.nextInt(VALUES_PER_ATTRIBUTE)));
            if (random.nextInt(5) == 0) {
                values.add(attributeValue(key, random.nextInt(VALUES_PER_ATTRIBUTE)));
            }
            attributes.put(key, values);
        }
        TreeSet<String> groups = new TreeSet<>();
        int groupCount = 3 + random.nextInt(4);
        while (groups.size() < groupCount) {
            groups.add(pick(groupNames));
        }
        // Projects are assigned afterwards; users 0..n/2 act under one by default.
        Optional<String> project = number % 2 == 0 ? Optional.of(projectName(number)) : Optional.empty();
        return new User(name, name + "@example.com", groups, attributes, project);
    }

    private static String projectName(int userNumber)
    {
        return "project%02d".formatted(userNumber % 10);
    }

    private List<Project> projects(List<User> users)
    {
        List<Project> projects = new ArrayList<>();
        for (int p = 0; p < 10; p++) {
            String name = "project%02d".formatted(p);
            TreeSet<String> members = new TreeSet<>();
            for (int u = 0; u < users.size(); u++) {
                if (u % 10 == p) {
                    members.add(users.get(u).name());
                }
            }
            TreeSet<String> purposes = new TreeSet<>(List.of(PURPOSES.get(p), PURPOSES.get((p + 3) % PURPOSES.size())));
            projects.add(new Project(name, purposes, new TreeSet<>(), members));
        }
        return projects;
    }

    private static String attributeValue(String key, int value)
    {
        return key + "-" + value;
    }

    private DataSource dataSource(int number)
    {
        int home = random.nextInt(roots.size());
        List<ColumnSpec> specs = new ArrayList<>(COLUMN_POOL);
        Collections.shuffle(specs, random);
        specs = specs.subList(0, shape.columnsPerDataSource());
        boolean hasEventTime = random.nextBoolean();
        if (hasEventTime && specs.stream().noneMatch(spec -> spec.name().equals("event_time"))) {
            specs.set(specs.size() - 1, new ColumnSpec("event_time", "timestamp(3)"));
        }
        List<Column> columns = new ArrayList<>(specs.size());
        for (ColumnSpec spec : specs) {
            TreeSet<Tag> tags = new TreeSet<>();
            int tagCount = 1 + (random.nextInt(3) == 0 ? 1 : 0);
            for (int t = 0; t < tagCount; t++) {
                // Mostly from the data source's home domain, sometimes from anywhere.
                int domain = random.nextInt(5) == 0 ? random.nextInt(roots.size()) : home;
                tags.add(Tag.of(fresh(pick(children.get(domain)).path())));
            }
            columns.add(new Column(fresh(spec.name()), SqlType.parse(fresh(spec.type())), tags));
        }
        TreeSet<Tag> tags = new TreeSet<>();
        tags.add(Tag.of(fresh(pick(children.get(home)).path())));
        if (random.nextBoolean()) {
            tags.add(Tag.of(fresh(pick(children.get(random.nextInt(roots.size()))).path())));
        }
        TreeSet<String> owners = new TreeSet<>();
        if (random.nextInt(10) == 0) {
            owners.add(pick(userNames));
        }
        String schema = "schema%02d".formatted(home);
        String table = "table_%06d".formatted(number);
        ObjectType objectType = random.nextInt(5) == 0 ? ObjectType.VIEW : ObjectType.TABLE;
        return new DataSource("ds-%06d".formatted(number), schema + "." + table, new RemoteLocation("trino", "warehouse", schema, table),
                objectType, columns, tags, owners, hasEventTime ? Optional.of("event_time") : Optional.empty(),
                "salt-%016x".formatted(random.nextLong()));
    }

    /**
     * Policy {@code number} of the mix: 25% subscriptions (grants and guardrails), 55% masks, 20% row-level
     * policies, created in an interleaved order as a governor would.
     */
    private Policy policy(int number)
    {
        int kind = random.nextInt(100);
        String id = "policy-%04d".formatted(number);
        long created = ++sequence;
        if (kind < 25) {
            return subscription(id, created);
        }
        if (kind < 80) {
            return mask(id, created);
        }
        return rowPolicy(id, created);
    }

    private SubscriptionPolicy subscription(String id, long created)
    {
        int choice = random.nextInt(100);
        if (choice < 70) {
            // Grants READ (sometimes WRITE) to a group, department or anyone who asks, on a domain or everywhere.
            AccessType type = random.nextInt(5) == 0 ? AccessType.WRITE : AccessType.READ;
            PolicyScope scope = random.nextInt(10) == 0 ? new PolicyScope.AllDataSources() : dataSourceScope();
            Audience audience = switch (random.nextInt(4)) {
                case 0 -> new Audience.UsersMatching(new Condition.InGroup(pick(groupNames)));
                case 1 -> new Audience.UsersMatching(anyAttribute("department", 3));
                case 2 -> new Audience.AnyoneWhoAsks();
                default -> new Audience.UsersMatching(new Condition.AnyOf(List.of(
                        new Condition.InGroup(pick(groupNames)), new Condition.HasPurpose(pick(PURPOSES)))));
            };
            return new SubscriptionPolicy(id, "Grant " + type + " " + id, created, scope, type, SubscriptionPolicy.Strength.GRANT, audience);
        }
        if (choice < 80) {
            return new SubscriptionPolicy(id, "Named grant " + id, created, dataSourceScope(), AccessType.READ, SubscriptionPolicy.Strength.GRANT,
                    new Audience.NamedUsers(new TreeSet<>(List.of(pick(userNames), pick(userNames), pick(userNames)))));
        }
        // Guardrails: most users meet them, so that decisions usually go on to masks and row filters.
        AccessType type = random.nextInt(2) == 0 ? AccessType.WRITE : AccessType.READ;
        Condition condition = anyAttribute("clearance", VALUES_PER_ATTRIBUTE - 1);
        return new SubscriptionPolicy(id, "Guardrail " + id, created, dataSourceScope(), type, SubscriptionPolicy.Strength.GUARDRAIL,
                new Audience.UsersMatching(condition));
    }

    private MaskingPolicy mask(String id, long created)
    {
        int choice = random.nextInt(100);
        ColumnSelector columns;
        if (choice < 65) {
            // Mostly leaf tags; a root tag masks a whole domain.
            TreeSet<Tag> tags = new TreeSet<>();
            tags.add(random.nextInt(4) == 0 ? pick(roots) : pick(children.get(random.nextInt(roots.size()))));
            if (random.nextInt(3) == 0) {
                tags.add(pick(children.get(random.nextInt(roots.size()))));
            }
            columns = new ColumnSelector.ByTag(tags);
        }
        else if (choice < 90) {
            TreeSet<String> names = new TreeSet<>();
            names.add(pick(COLUMN_POOL).name());
            if (random.nextBoolean()) {
                names.add(pick(COLUMN_POOL).name());
            }
            columns = new ColumnSelector.ByName(names);
        }
        else {
            columns = ColumnSelector.ByNamePattern.of(pick(MASK_PATTERNS));
        }
        MaskMethod method = switch (random.nextInt(8)) {
            case 0 -> new MaskMethod.Nullify();
            case 1 -> new MaskMethod.Constant("REDACTED");
            case 2, 3 -> new MaskMethod.KeyedHash();
            case 4 -> new MaskMethod.RegexReplace("[0-9]", "#");
            case 5 -> new MaskMethod.RevealLast(4);
            case 6 -> new MaskMethod.RoundToBucket(new BigDecimal(1_000));
            default -> new MaskMethod.TruncateToUnit(TimeUnit.MONTH);
        };
        Applicability applicability = switch (random.nextInt(4)) {
            case 0 -> new Applicability.Everyone();
            case 1 -> new Applicability.EveryoneExcept(new Condition.InGroup(pick(groupNames)));
            case 2 -> new Applicability.EveryoneExcept(new Condition.AnyOf(List.of(
                    new Condition.HasPurpose(pick(PURPOSES)), new Condition.HasAttribute("clearance", attributeValue("clearance", 0)))));
            default -> new Applicability.EveryoneWho(new Condition.AllOf(List.of(
                    anyAttribute("region", 4), new Condition.InGroup(pick(groupNames)))));
        };
        Optional<CustomSql> onlyWhere = random.nextInt(20) == 0
                ? Optional.of(CustomSql.parse("country <> '" + random.nextInt(VALUES_PER_ATTRIBUTE) + "' AND NOT user_in_group('" + pick(groupNames) + "')"))
                : Optional.empty();
        PolicyScope scope = random.nextInt(3) == 0 ? dataSourceScope() : new PolicyScope.AllDataSources();
        return new MaskingPolicy(id, "Mask " + id, created, scope, columns, method, onlyWhere, applicability);
    }

    private RowPolicy rowPolicy(String id, long created)
    {
        RowRule rule = switch (random.nextInt(10)) {
            case 0, 1, 2 -> new RowRule.MatchAttribute(ColumnChoice.named("region"), "region");
            case 3 -> new RowRule.MatchAttribute(ColumnChoice.tagged(pick(children.get(random.nextInt(roots.size())))), "department");
            case 4 -> new RowRule.MatchGroups(ColumnChoice.named("owner_group"));
            case 5 -> new RowRule.RecentEvents(1 + random.nextInt(24), TimeUnit.MONTH);
            case 6 -> new RowRule.Minimize(10 + random.nextInt(80), List.of());
            case 7 -> new RowRule.OnlyForPurposes(new TreeSet<>(List.of(pick(PURPOSES), pick(PURPOSES))));
            default -> new RowRule.Where(CustomSql.parse(
                    "country = 'c" + random.nextInt(20) + "' OR user_attribute_contains('region', region) OR user_in_group('" + pick(groupNames) + "')"));
        };
        Applicability applicability = switch (random.nextInt(3)) {
            case 0 -> new Applicability.Everyone();
            case 1 -> new Applicability.EveryoneExcept(new Condition.InGroup(pick(groupNames)));
            default -> new Applicability.EveryoneWho(anyAttribute("seniority", 4));
        };
        // Row policies are narrower than masks: always scoped to a domain or to columns of a domain.
        return new RowPolicy(id, "Rows " + id, created, dataSourceScope(), rule, applicability);
    }

    /** Data sources tagged with a domain (or one of its fields), or with columns tagged so. */
    private PolicyScope dataSourceScope()
    {
        TreeSet<Tag> tags = new TreeSet<>();
        tags.add(random.nextInt(3) == 0 ? pick(roots) : pick(children.get(random.nextInt(roots.size()))));
        return random.nextBoolean() ? new PolicyScope.TaggedDataSources(tags) : new PolicyScope.DataSourcesWithTaggedColumns(tags);
    }

    /** True for users holding any of {@code count} of the key's values. */
    private Condition anyAttribute(String key, int count)
    {
        Set<Integer> values = new LinkedHashSet<>();
        while (values.size() < count) {
            values.add(random.nextInt(VALUES_PER_ATTRIBUTE));
        }
        return new Condition.AnyOf(values.stream().<Condition>map(value -> new Condition.HasAttribute(key, attributeValue(key, value))).toList());
    }

    /** A copy with its own characters, as a parser reading a catalog would produce ({@code new String(String)} shares them). */
    private static String fresh(String value)
    {
        return new String(value.toCharArray());
    }

    private <T> T pick(List<T> values)
    {
        return values.get(random.nextInt(values.size()));
    }

    private static List<ColumnSpec> columnPool()
    {
        List<ColumnSpec> pool = new ArrayList<>();
        String[][] named = {
                {"id", "bigint"}, {"customer_id", "bigint"}, {"account_id", "bigint"}, {"order_id", "bigint"},
                {"first_name", "varchar(100)"}, {"last_name", "varchar(100)"}, {"full_name", "varchar(200)"},
                {"email", "varchar(255)"}, {"work_email", "varchar(255)"}, {"phone_number", "varchar(32)"},
                {"mobile_phone", "varchar(32)"}, {"date_of_birth", "date"}, {"national_ssn", "varchar(11)"},
                {"passport_number", "varchar(20)"}, {"card_number", "varchar(19)"}, {"card_expiry", "varchar(5)"},
                {"iban", "varchar(34)"}, {"street_address", "varchar"}, {"postal_code", "varchar(10)"}, {"city", "varchar"},
                {"region", "varchar(32)"}, {"country", "char(2)"}, {"owner_group", "varchar(64)"}, {"ip_address", "varchar(45)"},
                {"device_id", "varchar(64)"}, {"user_agent", "varchar"}, {"salary", "decimal(12,2)"}, {"bonus", "decimal(12,2)"},
                {"credit_limit", "decimal(18,2)"}, {"balance", "decimal(18,2)"}, {"amount", "decimal(18,2)"},
                {"currency", "char(3)"}, {"tax_id", "varchar(20)"}, {"status", "varchar(16)"}, {"is_active", "boolean"},
                {"created_at", "timestamp(3)"}, {"updated_at", "timestamp(3)"}, {"deleted_at", "timestamp(3)"},
                {"signup_date", "date"}, {"last_login", "timestamp(6) with time zone"}, {"score", "double"},
                {"risk_score", "real"}, {"quantity", "integer"}, {"unit_price", "decimal(10,4)"}, {"discount", "double"},
                {"product_sku", "varchar(32)"}, {"category", "varchar(64)"}, {"note", "varchar"}, {"notes_internal", "varchar"},
                {"geo_lat", "double"}, {"geo_lon", "double"}, {"session_token", "varchar(128)"}, {"api_secret", "varchar(128)"},
                {"license_plate", "varchar(16)"}, {"insurance_number", "varchar(24)"}, {"employee_number", "integer"},
                {"manager_id", "bigint"}, {"department_code", "varchar(8)"}, {"hire_date", "date"}, {"event_time", "timestamp(3)"},
                {"payload", "varbinary"}, {"document", "json"}, {"password_hash", "varchar(64)"}, {"loyalty_points", "bigint"},
                {"age", "smallint"}, {"gender", "varchar(16)"}, {"nationality", "char(2)"}, {"language", "varchar(8)"},
        };
        for (String[] column : named) {
            pool.add(new ColumnSpec(column[0], column[1]));
        }
        String[] types = {"varchar", "bigint", "decimal(18,4)", "timestamp(3)", "double", "integer", "date", "boolean"};
        for (int i = 0; pool.size() < 160; i++) {
            String type = types[i % types.length];
            pool.add(new ColumnSpec("metric_%02d".formatted(i), type));
        }
        return List.copyOf(pool);
    }
}
