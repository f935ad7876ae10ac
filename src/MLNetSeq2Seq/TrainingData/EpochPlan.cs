using System;
using System.Collections.Generic;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// The order and grouping of one epoch: a seeded permutation of every training row, cut into optimizer steps of
/// BatchSize rows (the last may be shorter, and counts), each cut into micro-batches of at most MicroBatchSize.
/// The permutation depends only on (seed, epoch), so a resumed run sees the same order.
/// </summary>
internal sealed class EpochPlan
{
    private EpochPlan(long[] order, List<(int Start, int Count)> steps)
    {
        Order = order;
        Steps = steps;
    }

    /// <summary>Row indices in visiting order; each row exactly once.</summary>
    public long[] Order { get; }

    /// <summary>Optimizer steps as ranges of <see cref="Order"/>.</summary>
    public IReadOnlyList<(int Start, int Count)> Steps { get; }

    public static EpochPlan Create(int rowCount, int batchSize, int seed, int epoch)
    {
        var order = new long[rowCount];
        for (int i = 0; i < rowCount; i++)
            order[i] = i;
        var random = new Random(DerivedSeed(seed, epoch, stream: 1));
        for (int i = rowCount - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var steps = new List<(int, int)>((rowCount + batchSize - 1) / batchSize);
        for (int start = 0; start < rowCount; start += batchSize)
            steps.Add((start, Math.Min(batchSize, rowCount - start)));
        return new EpochPlan(order, steps);
    }

    public static int StepsPerEpoch(int rowCount, int batchSize) => (rowCount + batchSize - 1) / batchSize;

    /// <summary>Sizes of the micro-batches of a step of <paramref name="count"/> rows.</summary>
    public static int[] MicroBatchSizes(int count, int microBatchSize)
    {
        var sizes = new int[(count + microBatchSize - 1) / microBatchSize];
        for (int i = 0; i < sizes.Length; i++)
            sizes[i] = Math.Min(microBatchSize, count - i * microBatchSize);
        return sizes;
    }

    /// <summary>A seed for one purpose (stream) of one epoch, independent of how many draws earlier epochs made.</summary>
    /// Deterministic across processes (unlike HashCode.Combine, which is randomised per process): SplitMix64.
    public static int DerivedSeed(int seed, int epoch, int stream)
    {
        ulong x = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch << 20 ^ (ulong)(uint)stream << 48);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }
}
