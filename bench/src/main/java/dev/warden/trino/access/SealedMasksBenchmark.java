package dev.warden.trino.access;

import io.trino.spi.connector.ColumnSchema;
import io.trino.spi.security.ViewExpression;
import io.trino.spi.type.VarcharType;
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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What sealing masking salts costs each answer to Trino's {@code getColumnMasks}: a grant's masks on one of 2,048
 * tables of 30 columns, half of them hashed with the table's salt, sealed for a query. This is the part of a warm
 * {@code AccessControlLatency} call that depends on the salts, without the replica, the server and the decision
 * cache around it, whose run-to-run spread is larger than this part. It lives in the access control's package
 * because the classes it times are that package's own.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SealedMasksBenchmark
{
    private static final int TABLES = 2_048;
    private static final int COLUMNS = 30;

    private SealedSalts salts;
    private GrantedMasks[] masks;
    private List<List<ColumnSchema>> columns;
    private int[] order;
    private byte[] salt;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        salts = SealedSalts.register("wdn_benchmark-key");
        salt = "table-salt-0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        masks = new GrantedMasks[TABLES];
        columns = new ArrayList<>(TABLES);
        for (int table = 0; table < TABLES; table++) {
            String placeholder = SealedSalts.placeholder("table" + table + "-salt-0123456789abcdef0123456789abcdef");
            List<String> names = new ArrayList<>();
            List<ColumnSchema> schemas = new ArrayList<>();
            Map<String, SealableExpression> byColumn = new HashMap<>();
            for (int column = 0; column < COLUMNS; column++) {
                String name = "column_" + column;
                String sql = column % 2 == 0
                        ? "lower(to_hex(%s(CAST(\"%s\" AS varchar), %s)))".formatted(SealedSalts.FUNCTION_NAME, name, placeholder)
                        : "CAST(NULL AS varchar)";
                names.add(name);
                schemas.add(ColumnSchema.builder().setName(name).setType(VarcharType.VARCHAR).build());
                byColumn.put(name, new SealableExpression(ViewExpression.builder().catalog("tpch").schema("tiny").expression(sql).build()));
            }
            masks[table] = new GrantedMasks(names, byColumn);
            columns.add(List.copyOf(schemas));
        }
        Random random = new Random(42);
        order = new int[4_096];
        for (int i = 0; i < order.length; i++) {
            order[i] = random.nextInt(TABLES);
        }
    }

    /** One salt sealed for one query. */
    @Benchmark
    public String sealOneSalt()
    {
        return salts.seal(salt, "20261206_101500_00042_abcde");
    }

    /** The masks of a table of the working set, Trino asking with the same columns as before, for a new query. */
    @Benchmark
    public Map<ColumnSchema, ViewExpression> masksForANewQuery()
    {
        int table = order[next++ & (order.length - 1)];
        return masks[table].of(columns.get(table), "20261206_101500_00042_abcde", salts);
    }
}
