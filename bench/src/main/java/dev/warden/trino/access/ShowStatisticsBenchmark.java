package dev.warden.trino.access;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What one look for {@code SHOW STATS} on the calling thread's stack costs ({@link ShowStatistics}), from a stack
 * {@code depth} frames below the benchmark's own: Trino asks for masks and filters from a hundred frames or more deep
 * in its analyser. Only queries Trino reports as {@code DESCRIBE} or {@code EXPLAIN} statements pay it, once per
 * request for the masks or the filters of a table masked or filtered for the person.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class ShowStatisticsBenchmark
{
    @Param({"30", "150"})
    public int depth;

    @Benchmark
    public boolean lookForShowStats()
    {
        return lookFrom(depth);
    }

    private static boolean lookFrom(int depth)
    {
        return depth == 0 ? ShowStatistics.areBeingComputed() : lookFrom(depth - 1);
    }
}
