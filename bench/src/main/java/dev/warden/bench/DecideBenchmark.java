package dev.warden.bench;

import dev.warden.policy.engine.Decision;
import dev.warden.policy.engine.PolicyEngine;
import dev.warden.policy.model.DataSource;
import dev.warden.policy.model.UserContext;
import dev.warden.policy.state.PolicyState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Issue #2's decision target: {@code decide()} for a user with 20 attributes on a data source with 50 columns,
 * with 1,000 global policies and 10,000 tags in force; median at most 20 µs.
 *
 * <p>Each call takes the next of 4,096 pre-drawn (user, data source) pairs, so that neither the JIT nor the
 * caches see one decision over and over.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class DecideBenchmark
{
    private static final int PAIRS = 4_096;

    private PolicyState state;
    private PolicyEngine engine;
    private PolicyEngine uncachedEngine;
    private UserContext[] users;
    private String[] userNames;
    private DataSource[] dataSources;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        state = PolicyWorkload.build(PolicyWorkload.Shape.decision());
        engine = new PolicyEngine(state);
        uncachedEngine = new PolicyEngine(state, 0);
        List<String> allUsers = new ArrayList<>(state.users().keySet());
        List<DataSource> allDataSources = new ArrayList<>(state.dataSources().values());
        Random random = new Random(PolicyWorkload.SEED);
        users = new UserContext[PAIRS];
        userNames = new String[PAIRS];
        dataSources = new DataSource[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            userNames[i] = allUsers.get(random.nextInt(allUsers.size()));
            users[i] = state.userContext(userNames[i], Optional.empty());
            dataSources[i] = allDataSources.get(random.nextInt(allDataSources.size()));
        }
        System.out.println();
        System.out.println(WorkloadSummary.of(state, engine, users, dataSources));
    }

    /** One decision for a user context already built, as an enforcement point that caches contexts would call it. */
    @Benchmark
    public Decision decide()
    {
        int i = next++ & (PAIRS - 1);
        return engine.decide(users[i], dataSources[i]);
    }

    /**
     * A first decision on a data source: the engine plans the data source (the work that does not depend on the
     * user) as well as deciding, as after a policy change or for a data source not decided recently.
     */
    @Benchmark
    public Decision firstDecisionOnADataSource()
    {
        int i = next++ & (PAIRS - 1);
        return uncachedEngine.decide(users[i], dataSources[i]);
    }

    /** One decision including building the user's context (groups' attributes merged, project purposes) from the state. */
    @Benchmark
    public Decision decideWithUserContext()
    {
        int i = next++ & (PAIRS - 1);
        return engine.decide(state.userContext(userNames[i], Optional.empty()), dataSources[i]);
    }
}
