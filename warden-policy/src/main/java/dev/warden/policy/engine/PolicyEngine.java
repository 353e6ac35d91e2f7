package dev.warden.policy.engine;

import dev.warden.policy.engine.Reason.Outcome;
import dev.warden.policy.expr.Expression;
import dev.warden.policy.expr.Expressions;
import dev.warden.policy.expr.SqlFunction;
import dev.warden.policy.model.AccessApproval;
import dev.warden.policy.model.AccessType;
import dev.warden.policy.model.AccessValue;
import dev.warden.policy.model.Column;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.policies.Applicability;
import dev.warden.policy.policies.Audience;
import dev.warden.policy.policies.ColumnSelector;
import dev.warden.policy.policies.Condition;
import dev.warden.policy.policies.CustomSql;
import dev.warden.policy.policies.MaskingPolicy;
import dev.warden.policy.policies.Policy;
import dev.warden.policy.policies.RowPolicy;
import dev.warden.policy.policies.RowRule;
import dev.warden.policy.policies.SubscriptionPolicy;
import dev.warden.policy.policies.SubscriptionPolicy.Strength;
import dev.warden.policy.state.PolicyState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Decides, for one user and one data source, what the user may do and what they see. Pure and deterministic:
 * the same state, user and data source always give the same decision, reasons included.
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>WRITE is granted when the user owns the data source or a WRITE grant admits them; READ when they own it
 *     or any grant admits them (whoever may write may read). Grants combine with OR. Every guardrail in scope must
 *     admit the user (guardrails combine with AND): a failed READ guardrail takes away all access, a failed WRITE
 *     guardrail only what WRITE adds. Granted types map to access values through the state's
 *     {@link dev.warden.policy.model.AccessGrantMapping}; WRITE is dropped on object types that cannot be written.</li>
 * <li>A column targeted by several masking policies is governed by the most specific one: a column named
 *     explicitly, then the deepest tag, then a name pattern; at equal specificity, the policy created first.
 *     If the governing policy does not apply to the user (everyone-except, everyone-who), the column is shown.
 *     A global mask whose method cannot apply to a column's type masks it with NULL instead.</li>
 * <li>Every row-level policy that applies to the user applies; their filters combine with AND. A rule that
 *     cannot be applied to a data source (a column it needs is missing) hides every row.</li>
 * </ul>
 * Without READ the user gets no masks and no filter: there is nothing for them to see.
 */
public final class PolicyEngine
{
    private final PolicyState state;
    private final PolicyIndex index;
    private final List<Reason> notInForce;
    private final Map<Policy, Prepared> prepared;
    private final int planCacheCapacity;
    /** The distinct conditions of all policies, numbered, so that a decision answers each once. */
    private final List<Condition> conditions;
    /** Approved requests by data source, then user: asked on every decision on a data source with an anyone-who-asks policy. */
    private final Map<String, Map<String, Set<AccessType>>> approvals;
    private final ConcurrentHashMap<String, DataSourcePlan> plans;
    /** Whether this engine, made by {@link #withState}, kept every plan its predecessor had of a data source of this state. */
    private final boolean keptEveryPlan;

    /** How many data sources' plans an engine keeps by default. */
    public static final int PLAN_CACHE_CAPACITY = 4_096;

    /**
     * Reasons and texts that depend on the policy alone, built once rather than on every decision, and the number of
     * the policy's condition. Fields that do not concern the policy's kind are null.
     */
    private record Prepared(
            Reason notInForce,
            Reason notEvaluated,
            Reason admits,
            Reason refuses,
            String applicability,
            String maskedWith,
            DataSourcePlan.MaskReasons selectsNoColumn,
            Reason notForUser,
            String rule,
            int condition) {}

    /**
     * How many policies a change may replace, add or remove for an engine to keep the plans of the data sources none
     * of them covers: each kept plan is checked against every changed policy, and past this many, planning afresh is
     * the cheaper way.
     */
    private static final int MAX_CHANGED_POLICIES_KEEPING_PLANS = 64;
    /**
     * How many data sources' plans a change of the policies may touch for the new engine to make them again before it
     * is used: about as many milliseconds of work at most, on the thread that applies the change. A change that
     * touches more leaves them to be planned in the background or on demand.
     */
    private static final int MAX_PLANS_MADE_AGAIN_AHEAD = 64;
    /** How many conditions no policy asks for an engine continuing its predecessor's numbering may carry, beyond as many as are asked for. */
    private static final int MAX_UNUSED_CONDITIONS = 64;

    public PolicyEngine(PolicyState state)
    {
        this(state, PLAN_CACHE_CAPACITY);
    }

    /**
     * @param planCacheCapacity how many data sources' plans to keep; 0 plans every decision afresh (to measure a
     *         first decision)
     */
    public PolicyEngine(PolicyState state, int planCacheCapacity)
    {
        this(state, planCacheCapacity, null);
    }

    /**
     * @param previous an engine for an earlier state with other policies, whose texts, condition numbers and plans
     *         this one keeps where the change leaves them true; null for none
     */
    private PolicyEngine(PolicyState state, int planCacheCapacity, PolicyEngine previous)
    {
        if (planCacheCapacity < 0) {
            throw new IllegalArgumentException("planCacheCapacity must not be negative");
        }
        this.planCacheCapacity = planCacheCapacity;
        this.state = requireNonNull(state, "state is null");
        this.index = new PolicyIndex(state.policies().values(), state.tags(), previous == null ? null : previous.index);
        this.approvals = previous != null && state.approvals() == previous.state.approvals() ? previous.approvals : approvalsByDataSource(state.approvals());
        ConditionMemo.Numbering numbering = previous == null ? new ConditionMemo.Numbering() : new ConditionMemo.Numbering(previous.conditions);
        Map<Policy, Prepared> preparedPolicies = prepareAll(numbering, previous);
        if (numbering.unused() > MAX_UNUSED_CONDITIONS + numbering.used()) {
            // Conditions of policies gone by pile up in a numbering continued from engine to engine: start afresh now
            // and then. The previous engine's plans hold its numbers, so none is kept then.
            numbering = new ConditionMemo.Numbering();
            preparedPolicies = prepareAll(numbering, previous);
            previous = null;
        }
        this.prepared = preparedPolicies;
        this.conditions = numbering.conditions();
        List<Reason> reasons = new ArrayList<>(index.policies().size());
        for (Policy policy : index.policies()) {
            reasons.add(prepared.get(policy).notInForce());
        }
        this.notInForce = List.copyOf(reasons);
        this.plans = previous == null ? new ConcurrentHashMap<>() : new ConcurrentHashMap<>(previous.plans.size());
        this.keptEveryPlan = previous != null && keepPlansTheChangeLeaves(previous);
    }

    private PolicyEngine(PolicyEngine previous, PolicyState state)
    {
        this.state = state;
        this.planCacheCapacity = previous.planCacheCapacity;
        this.index = previous.index;
        this.notInForce = previous.notInForce;
        this.prepared = previous.prepared;
        this.conditions = previous.conditions;
        this.approvals = state.approvals() == previous.state.approvals() ? previous.approvals : approvalsByDataSource(state.approvals());
        this.plans = previous.plans;
        this.keptEveryPlan = true;
    }

    /**
     * An engine for {@code next}, a later revision of this engine's state, with the same plan cache capacity, that
     * keeps what the change leaves true, so that decisions after the change need not plan again. A plan depends only
     * on the policies in force on its data source and on that data source, and serves only the very data source
     * instance it was made for, so a data source the change replaced is planned afresh. When {@code next} holds this
     * state's very policies (as an update that changes no policy leaves them), the new engine shares this one's
     * policy index, reasons and plans. When policies changed (at most {@value #MAX_CHANGED_POLICIES_KEEPING_PLANS}
     * of them), it keeps the texts of the policies left as they were and the plans of the data sources that no changed
     * policy covers, before or after the change; the plans of the data sources it does cover, when there are at most
     * {@value #MAX_PLANS_MADE_AGAIN_AHEAD}, it makes again at once, taking their masks and row filters as they were
     * where the change left the policies in force on them.
     */
    public PolicyEngine withState(PolicyState next)
    {
        requireNonNull(next, "next is null");
        if (next.policies() != state.policies()) {
            return new PolicyEngine(next, planCacheCapacity, this);
        }
        return new PolicyEngine(this, next);
    }

    /** The prepared texts of every policy, numbering their conditions: those of {@code previous} for the policies it holds as they are. */
    private Map<Policy, Prepared> prepareAll(ConditionMemo.Numbering numbering, PolicyEngine previous)
    {
        Map<Policy, Prepared> preparedPolicies = new IdentityHashMap<>();
        for (Policy policy : index.policies()) {
            int condition = switch (policy) {
                case SubscriptionPolicy subscription -> numbering.number(subscription.audience());
                case MaskingPolicy masking -> numbering.number(masking.applicability());
                case RowPolicy row -> numbering.number(row.applicability());
            };
            Prepared kept = previous == null ? null : previous.prepared.get(policy);
            preparedPolicies.put(policy, kept != null && kept.condition() == condition ? kept : prepare(policy, condition));
        }
        return preparedPolicies;
    }

    /**
     * Takes over the plans of {@code previous}, whose conditions this engine numbers alike, for the data sources of
     * this state that no policy the change replaced, added or removed covers: their policies in force are the same
     * very policies, so their plans are too, but for the numbers this engine gives those policies. When the change
     * touches the plans of few data sources (as a local policy does), those are made again now, from the parts of
     * their plans the change left alone, so that no decision after the change has to plan.
     *
     * @return whether every plan {@code previous} had of a data source of this state was kept or made again
     */
    private boolean keepPlansTheChangeLeaves(PolicyEngine previous)
    {
        List<Policy> changed = new ArrayList<>();
        previous.state.policies().forEach((id, policy) -> {
            if (state.policies().get(id) != policy) {
                changed.add(policy);
            }
        });
        state.policies().forEach((id, policy) -> {
            if (previous.state.policies().get(id) != policy) {
                changed.add(policy);
            }
        });
        if (changed.size() > MAX_CHANGED_POLICIES_KEEPING_PLANS) {
            return false;
        }
        List<Policy> previousPolicies = previous.index.policies();
        int[] newNumbers = new int[previousPolicies.size()];
        boolean numbersKept = true;
        for (int number = 0; number < newNumbers.length; number++) {
            newNumbers[number] = index.numberOf(previousPolicies.get(number));
            numbersKept &= newNumbers[number] == number;
        }
        List<DataSourcePlan> touched = new ArrayList<>();
        boolean keptEvery = true;
        for (DataSourcePlan plan : previous.plans.values()) {
            DataSource dataSource = plan.dataSource();
            if (state.dataSources().get(dataSource.id()) != dataSource) {
                continue;
            }
            if (coversAny(changed, dataSource)) {
                touched.add(plan);
                continue;
            }
            if (plans.size() >= planCacheCapacity) {
                return false;
            }
            // A policy added after the others, or one changed in its place, leaves every other policy its number.
            Optional<DataSourcePlan> renumbered = numbersKept ? Optional.of(plan) : plan.renumbered(newNumbers);
            if (renumbered.isEmpty()) {
                keptEvery = false;
                continue;
            }
            plans.put(dataSource.id(), renumbered.get());
        }
        if (touched.size() > MAX_PLANS_MADE_AGAIN_AHEAD) {
            return false;
        }
        for (DataSourcePlan plan : touched) {
            if (plans.size() >= planCacheCapacity) {
                return false;
            }
            plans.put(plan.dataSource().id(), buildPlan(plan.dataSource(), plan));
        }
        return keptEvery;
    }

    private static boolean coversAny(List<Policy> policies, DataSource dataSource)
    {
        for (Policy policy : policies) {
            if (policy.scope().covers(dataSource)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this engine, made by {@link #withState}, kept (or made again) every plan its predecessor had of a data
     * source of this state: then a data source it has no plan for had none in its predecessor either, or is new to
     * this state. False for an engine made afresh. Tells a background planner whether a walk over every data source
     * can find anything to plan after a change.
     */
    public boolean keptEveryPlan()
    {
        return keptEveryPlan;
    }

    /** The plan the engine keeps for this very data source instance, or null; for tests. */
    DataSourcePlan keptPlan(DataSource dataSource)
    {
        return cachedPlan(dataSource);
    }

    private static Map<String, Map<String, Set<AccessType>>> approvalsByDataSource(Set<AccessApproval> approvals)
    {
        Map<String, Map<String, Set<AccessType>>> byDataSource = new java.util.HashMap<>();
        for (AccessApproval approval : approvals) {
            byDataSource.computeIfAbsent(approval.dataSourceId(), _ -> new java.util.HashMap<>())
                    .computeIfAbsent(approval.userName(), _ -> EnumSet.noneOf(AccessType.class))
                    .add(approval.accessType());
        }
        return byDataSource;
    }

    private static Prepared prepare(Policy policy, int condition)
    {
        Reason notInForce = reason(policy, Outcome.NOT_IN_FORCE, "not in force here: it covers " + policy.scope().describe()
                + (policy instanceof MaskingPolicy masking ? " and masks " + masking.columns().describe() : "")
                + ", which does not include this data source");
        Reason notEvaluated = reason(policy, Outcome.NOT_APPLIED, "not evaluated: the user may not read this data source");
        return switch (policy) {
            case SubscriptionPolicy subscription -> {
                String why = refusal(subscription);
                AccessType type = subscription.accessType();
                yield subscription.strength() == Strength.GRANT
                        ? new Prepared(notInForce, notEvaluated,
                                reason(policy, Outcome.APPLIED, "grants " + type + " (grants combine with OR)"),
                                reason(policy, Outcome.NOT_APPLIED, "does not grant " + type + ": " + why),
                                null, null, null, null, null, condition)
                        : new Prepared(notInForce, notEvaluated,
                                reason(policy, Outcome.APPLIED, "guardrail met (guardrails combine with AND)"),
                                reason(policy, Outcome.APPLIED, "guardrail not met, so no grant can give " + (type == AccessType.READ ? "READ or WRITE" : "WRITE") + ": " + why),
                                null, null, null, null, null, condition);
            }
            case MaskingPolicy masking -> new Prepared(notInForce, notEvaluated, null, null,
                    masking.applicability().describe(),
                    " with " + masking.method().describe() + masking.onlyWhere().map(sql -> " where " + sql.text()).orElse(""),
                    DataSourcePlan.MaskReasons.always(reason(policy, Outcome.NOT_APPLIED, "in force, but " + masking.columns().describe() + " selects no column of this data source")),
                    null, null, condition);
            case RowPolicy row -> new Prepared(notInForce, notEvaluated, null, null, null, null, null,
                    reason(policy, Outcome.NOT_APPLIED, "does not apply to the user: it applies to " + row.applicability().describe()),
                    row.rule().describe(), condition);
        };
    }

    /** Why the policy's audience may not admit a user; only used when it does not. */
    private static String refusal(SubscriptionPolicy policy)
    {
        return switch (policy.audience()) {
            case Audience.Anyone _ -> "";
            case Audience.AnyoneWhoAsks _ -> "the user has no approved request for " + policy.accessType() + " on this data source";
            case Audience.UsersMatching matching -> "the user is not " + matching.condition().describe();
            case Audience.NamedUsers named -> "the user is not among " + named.users();
        };
    }

    public PolicyState state()
    {
        return state;
    }

    /** Decides for a user by name, acting under {@code project} or their current project, on a data source by id. */
    public Decision decide(String userName, Optional<String> project, String dataSourceId)
    {
        return decide(state.userContext(userName, project), state.dataSource(dataSourceId));
    }

    public Decision decide(UserContext user, DataSource dataSource)
    {
        requireNonNull(user, "user is null");
        requireNonNull(dataSource, "dataSource is null");
        DataSourcePlan plan = plan(dataSource);
        List<Reason> reasons = new ArrayList<>(plan.reasonCapacity());
        ConditionMemo memo = new ConditionMemo(conditions, user);

        Set<AccessValue> access = decideAccess(user, dataSource, plan.subscriptions(), memo, reasons);
        if (!access.contains(AccessValue.READ)) {
            reasons.addAll(plan.notEvaluated());
            return new Decision(user.name(), dataSource.id(), access, Map.of(), Optional.empty(), new ReasonList(plan.notInForce(notInForce), reasons));
        }
        Map<String, Expression> columnMasks = decideMasks(plan, memo, reasons);
        Optional<Expression> rowFilter = decideRowFilter(user, plan, memo, reasons);
        return new Decision(user.name(), dataSource.id(), access, columnMasks, rowFilter, new ReasonList(plan.notInForceOrOverridden(notInForce), reasons));
    }

    /**
     * Plans a data source ahead of the decisions on it, unless its plan is kept already or the cache is full, so that
     * a first decision need not plan. For an enforcement point to call in the background after a change.
     *
     * @return whether there is room for more plans
     */
    public boolean prepare(DataSource dataSource)
    {
        requireNonNull(dataSource, "dataSource is null");
        if (cachedPlan(dataSource) != null) {
            return true;
        }
        if (plans.size() >= planCacheCapacity) {
            return false;
        }
        plan(dataSource);
        return true;
    }

    /**
     * What the engine can work out about a data source before knowing who asks, cached by data source so that a
     * decision does only the per-user steps. The cache holds plans by data source id, each used only for the data
     * source instance it was made for; it is bounded: past its capacity it starts afresh. Engines made by
     * {@link #withState} share it.
     */
    private DataSourcePlan plan(DataSource dataSource)
    {
        if (planCacheCapacity == 0) {
            return buildPlan(dataSource, null);
        }
        DataSourcePlan cached = cachedPlan(dataSource);
        if (cached != null) {
            return cached;
        }
        DataSourcePlan plan = buildPlan(dataSource, null);
        if (plans.size() >= planCacheCapacity) {
            plans.clear();
        }
        plans.put(dataSource.id(), plan);
        return plan;
    }

    /** The kept plan of this very data source instance, or null. */
    private DataSourcePlan cachedPlan(DataSource dataSource)
    {
        DataSourcePlan cached = plans.get(dataSource.id());
        return cached != null && cached.dataSource() == dataSource ? cached : null;
    }

    /**
     * @param earlier a plan of the same data source by an engine whose condition numbering this one continues, whose
     *         masks and row filters are taken as they are where the very same policies are in force; null for none
     */
    private DataSourcePlan buildPlan(DataSource dataSource, DataSourcePlan earlier)
    {
        int[] inForce = index.inForce(dataSource).stream().toArray();
        List<Policy> policies = index.policies();
        List<SubscriptionPolicy> subscriptions = new ArrayList<>();
        List<MaskingPolicy> masks = new ArrayList<>();
        int[] maskNumbers = new int[inForce.length];
        int[] localMasks = new int[inForce.length];
        int localMaskCount = 0;
        List<RowPolicy> rows = new ArrayList<>();
        for (int number : inForce) {
            Policy policy = policies.get(number);
            switch (policy) {
                case SubscriptionPolicy subscription -> subscriptions.add(subscription);
                case MaskingPolicy masking -> {
                    maskNumbers[masks.size()] = number;
                    masks.add(masking);
                    if (masking.scope().isLocal()) {
                        localMasks[localMaskCount++] = number;
                    }
                }
                case RowPolicy row -> rows.add(row);
            }
        }
        List<DataSourcePlan.PlannedSubscription> plannedSubscriptions = new ArrayList<>(subscriptions.size());
        for (SubscriptionPolicy policy : subscriptions) {
            Prepared texts = prepared.get(policy);
            plannedSubscriptions.add(new DataSourcePlan.PlannedSubscription(policy, texts.condition(), texts.admits(), texts.refuses()));
        }
        List<Reason> notEvaluated = new ArrayList<>(masks.size() + rows.size());
        masks.forEach(policy -> notEvaluated.add(prepared.get(policy).notEvaluated()));
        rows.forEach(policy -> notEvaluated.add(prepared.get(policy).notEvaluated()));
        DataSourcePlan.Masks plannedMasks = earlier != null && sameInstances(earlier.masks().policies(), masks)
                ? earlier.masks()
                : planMasks(dataSource, masks, Arrays.copyOf(maskNumbers, masks.size()), Arrays.copyOf(localMasks, localMaskCount));
        List<DataSourcePlan.PlannedRow> plannedRows = earlier != null && sameInstances(earlier.rows().stream().map(DataSourcePlan.PlannedRow::policy).toList(), rows)
                ? earlier.rows()
                : planRows(dataSource, rows);
        return new DataSourcePlan(dataSource, inForce, plannedSubscriptions, notEvaluated,
                plannedMasks, plannedRows);
    }

    private static boolean sameInstances(List<? extends Policy> some, List<? extends Policy> others)
    {
        if (some.size() != others.size()) {
            return false;
        }
        for (int i = 0; i < some.size(); i++) {
            if (some.get(i) != others.get(i)) {
                return false;
            }
        }
        return true;
    }

    private Set<AccessValue> decideAccess(UserContext user, DataSource dataSource, List<DataSourcePlan.PlannedSubscription> subscriptions, ConditionMemo memo, List<Reason> reasons)
    {
        boolean owner = dataSource.owners().contains(user.name());
        if (owner) {
            reasons.add(new Reason(Reason.OWNERSHIP, "data source owner", "subscription", Outcome.APPLIED, "the user owns this data source, which grants READ and WRITE"));
        }
        EnumSet<AccessType> grantedByPolicy = EnumSet.noneOf(AccessType.class);
        EnumSet<AccessType> failedGuardrails = EnumSet.noneOf(AccessType.class);
        for (DataSourcePlan.PlannedSubscription planned : subscriptions) {
            SubscriptionPolicy policy = planned.policy();
            boolean admitted = admits(policy, planned.condition(), user, dataSource, memo);
            if (admitted && policy.strength() == Strength.GRANT) {
                grantedByPolicy.add(policy.accessType());
            }
            if (!admitted && policy.strength() == Strength.GUARDRAIL) {
                failedGuardrails.add(policy.accessType());
            }
            reasons.add(admitted ? planned.admits() : planned.refuses());
        }
        // Whoever may write may read; a failed WRITE guardrail takes away only what WRITE adds.
        boolean read = (owner || !grantedByPolicy.isEmpty()) && !failedGuardrails.contains(AccessType.READ);
        boolean write = read && (owner || grantedByPolicy.contains(AccessType.WRITE)) && !failedGuardrails.contains(AccessType.WRITE);
        EnumSet<AccessValue> values = EnumSet.noneOf(AccessValue.class);
        if (read) {
            values.addAll(state.accessGrantMapping().valuesFor(AccessType.READ));
        }
        if (write) {
            values.addAll(state.accessGrantMapping().valuesFor(AccessType.WRITE));
        }
        if (values.contains(AccessValue.WRITE) && !dataSource.objectType().isWritable()) {
            values.remove(AccessValue.WRITE);
            reasons.add(new Reason("(object type)", "object type", "subscription", Outcome.APPLIED,
                    "WRITE is not granted on a " + dataSource.objectType() + ", which cannot be written to"));
        }
        return values;
    }

    private boolean admits(SubscriptionPolicy policy, int condition, UserContext user, DataSource dataSource, ConditionMemo memo)
    {
        return switch (policy.audience()) {
            case Audience.Anyone _ -> true;
            case Audience.AnyoneWhoAsks _ -> approvals.getOrDefault(dataSource.id(), Map.of()).getOrDefault(user.name(), Set.of()).contains(policy.accessType());
            case Audience.UsersMatching _ -> memo.test(condition);
            case Audience.NamedUsers named -> named.users().contains(user.name());
        };
    }

    /**
     * Which policy governs each column and what every masking policy's reason will be, for a user to whom it
     * applies and for one to whom it does not: all of that depends on the data source alone.
     */
    private DataSourcePlan.Masks planMasks(DataSource dataSource, List<MaskingPolicy> policies, int[] numbers, int[] localMasks)
    {
        int count = policies.size();
        List<OverriddenReasons.Overriding> overridden = new ArrayList<>();
        // By a policy's position in policies: the columns it governs, why each is shown when it does not apply, notes on its masks.
        List<List<String>> governed = new ArrayList<>(Collections.nCopies(count, null));
        List<List<String>> shownNotes = new ArrayList<>(Collections.nCopies(count, null));
        List<List<String>> maskNotes = new ArrayList<>(Collections.nCopies(count, null));
        boolean[] selectsSome = new boolean[count];
        int[] selecting = new int[count];
        int[] specificities = new int[count];
        List<DataSourcePlan.GovernedColumn> columns = new ArrayList<>();
        for (Column column : dataSource.columns()) {
            int selected = selectingInForce(column, numbers, localMasks, selecting, specificities);
            if (selected == 0) {
                continue;
            }
            int governing = -1;
            int governingSpecificity = Integer.MIN_VALUE;
            for (int i = 0; i < selected; i++) {
                selectsSome[selecting[i]] = true;
                // Policies come in creation order, so on equal specificity the first one found stays.
                if (specificities[i] > governingSpecificity) {
                    governing = selecting[i];
                    governingSpecificity = specificities[i];
                }
            }
            MaskingPolicy governingPolicy = policies.get(governing);
            for (int i = 0; i < selected; i++) {
                if (selecting[i] != governing) {
                    overridden.add(new OverriddenReasons.Overriding(policies.get(selecting[i]), column.name(), governingPolicy));
                }
            }
            listAt(shownNotes, governing).add("column '" + column.name() + "' shown: the policy applies to " + prepared.get(governingPolicy).applicability());
            listAt(governed, governing).add(column.name());
            columns.add(new DataSourcePlan.GovernedColumn(column.name(), governing, maskFor(governingPolicy, column, dataSource, listAt(maskNotes, governing))));
        }
        List<DataSourcePlan.MaskReasons> reasons = new ArrayList<>(count);
        int[] conditions = new int[count];
        for (int i = 0; i < count; i++) {
            MaskingPolicy policy = policies.get(i);
            Prepared texts = prepared.get(policy);
            conditions[i] = texts.condition();
            List<String> masked = governed.get(i);
            if (masked != null) {
                List<String> notes = maskNotes.get(i);
                reasons.add(new DataSourcePlan.MaskReasons(true,
                        Optional.of(reason(policy, Outcome.APPLIED, "masks " + masked + texts.maskedWith()
                                + (notes == null || notes.isEmpty() ? "" : "; " + String.join("; ", notes)))),
                        Optional.of(reason(policy, Outcome.NOT_APPLIED, String.join("; ", shownNotes.get(i))))));
            }
            // A policy that selects a column either governs it or is overridden on it.
            else if (!selectsSome[i]) {
                reasons.add(texts.selectsNoColumn());
            }
            else {
                reasons.add(DataSourcePlan.MaskReasons.NONE);
            }
        }
        return new DataSourcePlan.Masks(policies, conditions, new OverriddenReasons(overridden), columns, reasons);
    }

    private static List<String> listAt(List<List<String>> lists, int position)
    {
        List<String> list = lists.get(position);
        if (list == null) {
            list = new ArrayList<>();
            lists.set(position, list);
        }
        return list;
    }

    private Map<String, Expression> decideMasks(DataSourcePlan plan, ConditionMemo memo, List<Reason> reasons)
    {
        DataSourcePlan.Masks masks = plan.masks();
        boolean[] applies = new boolean[masks.policies().size()];
        for (int i = 0; i < applies.length; i++) {
            // Only a policy that governs a column can differ by user; the rest need no question asked of the user.
            applies[i] = masks.reasons().get(i).governsAColumn()
                    && appliesTo(masks.conditions()[i], masks.policies().get(i).applicability(), memo);
        }
        Map<String, Expression> masked = new ColumnMasks(masks.columns().size());
        for (DataSourcePlan.GovernedColumn column : masks.columns()) {
            if (applies[column.governingPolicy()]) {
                masked.put(column.name(), column.mask());
            }
        }
        for (int i = 0; i < applies.length; i++) {
            DataSourcePlan.MaskReasons reason = masks.reasons().get(i);
            (applies[i] ? reason.whenApplies() : reason.whenNot()).ifPresent(reasons::add);
        }
        return masked;
    }

    /**
     * Fills {@code selecting} with the positions (in the plan's masks, which are in creation order) of the masks in
     * force that select the column, in creation order, and {@code specificities} with how specifically each selects
     * it; returns how many there are. Global masks come from the index, so that planning looks only at the few masks
     * that can concern each column; local ones are few and are all asked.
     *
     * @param numbers the policy numbers of the masks in force, ascending
     * @param localMasks the policy numbers of the local masks in force, ascending
     */
    private int selectingInForce(Column column, int[] numbers, int[] localMasks, int[] selecting, int[] specificities)
    {
        int selected = 0;
        List<Policy> policies = index.policies();
        int[] global = index.globalMasksSelecting(column);
        int g = 0;
        int l = 0;
        while (g < global.length || l < localMasks.length) {
            boolean takeGlobal = l >= localMasks.length || (g < global.length && global[g] < localMasks[l]);
            int number = takeGlobal ? global[g++] : localMasks[l++];
            int position = Arrays.binarySearch(numbers, number);
            if (position < 0) {
                continue;
            }
            MaskingPolicy policy = (MaskingPolicy) policies.get(number);
            // The index matched name patterns already (and cached the answer by column name); no need to match again.
            OptionalInt specificity = takeGlobal && policy.columns() instanceof ColumnSelector.ByNamePattern
                    ? OptionalInt.of(ColumnSelector.PATTERN_SPECIFICITY)
                    : policy.columns().specificity(column);
            if (specificity.isPresent()) {
                selecting[selected] = position;
                specificities[selected] = specificity.getAsInt();
                selected++;
            }
        }
        return selected;
    }

    private static Expression maskFor(MaskingPolicy policy, Column column, DataSource dataSource, List<String> notes)
    {
        Optional<String> refusal = policy.method().refusalFor(column.type());
        if (refusal.isPresent()) {
            notes.add("column '" + column.name() + "' masked with NULL instead, because " + refusal.get());
            return new Expression.NullLiteral(column.type());
        }
        Expression masked = castTo(policy.method().mask(column, dataSource.maskingSalt()), column);
        if (policy.onlyWhere().isEmpty()) {
            return masked;
        }
        CustomSql onlyWhere = policy.onlyWhere().get();
        List<String> missing = onlyWhere.missingColumns(dataSource);
        if (!missing.isEmpty()) {
            notes.add("column '" + column.name() + "' masked in every row, because the condition names column(s) " + missing + " that the data source lacks");
            return masked;
        }
        // A condition that is NULL for a row masks that row: unknown must not reveal.
        Expression shouldMask = Expressions.call(SqlFunction.COALESCE, onlyWhere.condition(), Expressions.TRUE);
        return new Expression.Case(
                List.of(new Expression.WhenClause(shouldMask, masked)),
                Optional.of(new Expression.Column(column.name())));
    }

    private static Expression castTo(Expression mask, Column column)
    {
        if (mask instanceof Expression.NullLiteral) {
            return mask;
        }
        return new Expression.Cast(mask, column.type());
    }

    private List<DataSourcePlan.PlannedRow> planRows(DataSource dataSource, List<RowPolicy> policies)
    {
        List<DataSourcePlan.PlannedRow> planned = new ArrayList<>(policies.size());
        for (RowPolicy policy : policies) {
            RowRule.Filter filter = policy.rule().filter(dataSource);
            String rule = prepared.get(policy).rule() + filter.problem().map(problem -> ": " + problem).orElse("");
            String combined = policies.size() > 1 ? " (row-level policies combine with AND)" : "";
            String noRows = filter.problem().isPresent() ? "" : ": the user qualifies for no rows";
            planned.add(new DataSourcePlan.PlannedRow(policy, prepared.get(policy).condition(), filter.expression(),
                    reason(policy, Outcome.APPLIED, rule + combined),
                    reason(policy, Outcome.APPLIED, rule + noRows + combined),
                    prepared.get(policy).notForUser()));
        }
        return planned;
    }

    private Optional<Expression> decideRowFilter(UserContext user, DataSourcePlan plan, ConditionMemo memo, List<Reason> reasons)
    {
        List<Expression> filters = new ArrayList<>();
        for (DataSourcePlan.PlannedRow row : plan.rows()) {
            if (!appliesTo(row.condition(), row.policy().applicability(), memo)) {
                reasons.add(row.notForUser());
                continue;
            }
            Expression folded = PersonFolding.fold(row.filter(), user);
            filters.add(folded);
            reasons.add(folded.equals(Expressions.FALSE) ? row.appliedWithNoRows() : row.applied());
        }
        Expression combined = Expressions.and(filters);
        return combined.equals(Expressions.TRUE) ? Optional.empty() : Optional.of(combined);
    }

    private static boolean appliesTo(int condition, Applicability applicability, ConditionMemo memo)
    {
        return switch (applicability) {
            case Applicability.Everyone _ -> true;
            case Applicability.EveryoneExcept _ -> !memo.test(condition);
            case Applicability.EveryoneWho _ -> memo.test(condition);
        };
    }

    private static Reason reason(Policy policy, Outcome outcome, String explanation)
    {
        return new Reason(policy.id(), policy.name(), policy.kind(), outcome, explanation);
    }
}
