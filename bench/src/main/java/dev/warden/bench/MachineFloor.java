package dev.warden.bench;

import java.util.Arrays;

/**
 * A control for latency percentiles: pure arithmetic, no memory beyond registers and no allocation, sized so that its
 * median matches the median of the code under test. Timed alternately with that code, its percentiles show what the
 * machine alone does to a computation of that length (interrupts, the hypervisor taking the core, frequency changes),
 * so that a tail the control shares is not read as the tested code's own.
 */
final class MachineFloor
{
    private static final int CALIBRATION_SAMPLES = 20_001;

    private final int rounds;
    private long sink;

    private MachineFloor(int rounds)
    {
        this.rounds = rounds;
    }

    /** A control whose median time is about {@code medianNanos} on this machine now. */
    static MachineFloor calibratedTo(long medianNanos)
    {
        if (medianNanos <= 0) {
            throw new IllegalArgumentException("medianNanos must be positive");
        }
        MachineFloor probe = new MachineFloor(1_000);
        // Compile the loop before measuring it.
        for (int i = 0; i < CALIBRATION_SAMPLES; i++) {
            probe.timeOnce();
        }
        long perThousand = probe.median();
        int rounds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, medianNanos * 1_000 / Math.max(1, perThousand)));
        MachineFloor floor = new MachineFloor(rounds);
        // The median of a thousand rounds includes reading the clock; correct the estimate once against the real target.
        long measured = floor.median();
        return new MachineFloor((int) Math.max(1, (long) rounds * medianNanos / Math.max(1, measured)));
    }

    /** Runs the computation once and returns how long it took, in nanoseconds. */
    long timeOnce()
    {
        long start = System.nanoTime();
        long x = sink | 1;
        for (int i = 0; i < rounds; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            x ^= x >>> 17;
        }
        long elapsed = System.nanoTime() - start;
        // Kept so that the loop is not optimized away.
        sink = x;
        return elapsed;
    }

    private long median()
    {
        long[] samples = new long[CALIBRATION_SAMPLES];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = timeOnce();
        }
        Arrays.sort(samples);
        return samples[samples.length / 2];
    }
}
