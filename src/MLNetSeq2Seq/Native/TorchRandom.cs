using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// The library's only way to torch's process-wide random generator, which draws initial weights and dropout masks.
/// Each region that draws runs under one process-wide lock, starts from a seed derived from the Fit's seed and the
/// region's place in the run (so two Fits in parallel, or a model Load during a Fit, cannot shift each other's draws,
/// and a resumed run draws what the original did), and puts the CPU generator back as the caller had it.
/// </summary>
/// <remarks>
/// Cost: parallel Fits take turns for their training forward passes (backward passes and everything else overlap);
/// a network without dropout never takes the lock after initialisation. TorchSharp cannot read the CUDA generator's
/// state, so on CUDA a region reseeds that generator and cannot restore it. An application that draws from torch's
/// global generator on another thread while a Fit runs can still change that Fit's dropout masks: such code should
/// pass its own <c>torch.Generator</c>.
/// </remarks>
internal static class TorchRandom
{
    private static readonly object s_gate = new();

    /// <summary>Runs <paramref name="draw"/> with torch's generators seeded with <paramref name="seed"/>, then restores
    /// the CPU generator's previous state.</summary>
    public static T Seeded<T>(long seed, Func<T> draw)
    {
        lock (s_gate)
        {
            using Tensor callerState = torch.random.get_rng_state();
            try
            {
                torch.random.manual_seed(seed);
                if (TorchDevices.CudaAvailable())
                    torch.cuda.manual_seed_all(seed);
                return draw();
            }
            finally
            {
                torch.random.set_rng_state(callerState);
            }
        }
    }

    /// <summary>Runs <paramref name="draw"/> (say, a module's default initialisation that loaded weights replace) and
    /// leaves the CPU generator as it was.</summary>
    public static T Undisturbed<T>(Func<T> draw)
    {
        lock (s_gate)
        {
            using Tensor callerState = torch.random.get_rng_state();
            try
            {
                return draw();
            }
            finally
            {
                torch.random.set_rng_state(callerState);
            }
        }
    }

    /// <summary>The seed of one random region of a run: a function of the run's seed, the optimizer step and the part of
    /// the step (the micro-batch's first row), not of how many draws came before. SplitMix64, stable across processes.</summary>
    public static long SeedFor(int runSeed, long step, int part)
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
