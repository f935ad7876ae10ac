namespace MLNetSeq2Seq.Bench;

/// <summary>
/// The component's epoch order, reproduced so the raw loop visits rows in exactly the same order: a Fisher-Yates
/// shuffle seeded by a SplitMix64 mix of (seed, epoch, stream 1). Mirrors src/MLNetSeq2Seq/TrainingData/EpochPlan.cs
/// (internal there); the equal epoch losses the fit figure prints show the two stay in step.
/// </summary>
internal static class RowOrder
{
    public static long[] Permutation(int rowCount, int seed, int epoch)
    {
        var order = new long[rowCount];
        for (int i = 0; i < rowCount; i++)
            order[i] = i;
        var random = new System.Random(DerivedSeed(seed, epoch, stream: 1));
        for (int i = rowCount - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static int DerivedSeed(int seed, int epoch, int stream)
    {
        ulong x = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch << 20 ^ (ulong)(uint)stream << 48);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return (int)(x & 0x7FFFFFFF);
    }
}
