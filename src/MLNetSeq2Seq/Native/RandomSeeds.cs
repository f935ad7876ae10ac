namespace MLNetSeq2Seq.Native;

/// <summary>
/// The seed of one random region of a training run: a function of the run's seed, the optimizer step and the part of
/// the step (the micro-batch's first row), not of how many draws came before, so a resumed run draws what the original
/// would have. The network's own generators are reseeded with it (<c>ModuleRandom.ReseedDropout</c>); torch's global
/// generator is never used.
/// </summary>
internal static class RandomSeeds
{
    /// <summary>SplitMix64 of (<paramref name="runSeed"/>, <paramref name="step"/>, <paramref name="part"/>), stable across
    /// processes and platforms; non-negative.</summary>
    public static long ForStep(int runSeed, long step, int part)
    {
        ulong x = unchecked((ulong)(uint)runSeed * 0x9E3779B97F4A7C15UL);
        x = Mix(x ^ (ulong)step);
        x = Mix(x ^ (ulong)(uint)part);
        return (long)(x & 0x7FFF_FFFF_FFFF_FFFFUL);
    }

    private static ulong Mix(ulong x)
    {
        x = unchecked(x + 0x9E3779B97F4A7C15UL);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        return x ^ (x >> 31);
    }
}
