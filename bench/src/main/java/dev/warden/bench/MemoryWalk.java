package dev.warden.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A control for memory-bound code: dependent reads at random in an array far larger than the processor's caches, each
 * read's address taken from the one before, so that none overlap. {@link MachineFloor} runs in registers and misses
 * what slows code that reads memory, such as other work on the host's cores sharing its caches and its memory
 * bandwidth. Sampled beside a phase of calls, it tells a phase the machine slowed from slower code.
 */
final class MemoryWalk
{
    private final int[] next;
    private final int steps;
    private int at;
    private long[] samples = new long[1_024];
    private int sampleCount;

    private MemoryWalk(int[] next, int steps)
    {
        this.next = next;
        this.steps = steps;
    }

    /** A walk of {@code steps} reads in {@code megabytes} of memory, one cycle through every slot in random order. */
    static MemoryWalk of(int megabytes, int steps)
    {
        int slots = megabytes * (1 << 20) / Integer.BYTES;
        int[] next = new int[slots];
        for (int i = 0; i < slots; i++) {
            next[i] = i;
        }
        // Sattolo's shuffle: a single cycle, so that a walk never falls into a short loop that the caches would hold.
        SplittableRandom random = new SplittableRandom(7);
        for (int i = slots - 1; i > 0; i--) {
            int j = random.nextInt(i);
            int swap = next[i];
            next[i] = next[j];
            next[j] = swap;
        }
        MemoryWalk walk = new MemoryWalk(next, steps);
        for (int i = 0; i < 10_000; i++) {
            walk.timeOnce();
        }
        return walk;
    }

    /** Walks once and returns how long it took, in nanoseconds. */
    long timeOnce()
    {
        long start = System.nanoTime();
        int position = at;
        for (int i = 0; i < steps; i++) {
            position = next[position];
        }
        long elapsed = System.nanoTime() - start;
        at = position;
        return elapsed;
    }

    /** Walks once and keeps the time among this phase's samples. */
    void sample()
    {
        if (sampleCount == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[sampleCount++] = timeOnce();
    }

    /** The median of the samples kept since the last call, in microseconds, and how many; starts the next phase's. */
    String takeMedian()
    {
        if (sampleCount == 0) {
            return "no samples";
        }
        long[] sorted = Arrays.copyOf(samples, sampleCount);
        Arrays.sort(sorted);
        String median = "%.1f µs at the median over %,d walks".formatted(sorted[sorted.length / 2] / 1_000.0, sorted.length);
        sampleCount = 0;
        return median;
    }
}
