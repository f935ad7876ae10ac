using System;
using System.Runtime.InteropServices;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Sets OMP_WAIT_POLICY for libtorch's OpenMP workers before libtorch is loaded. With the default policy idle
/// workers spin; when other processes compete for the two cores, the spinning threads steal the time slices the
/// working ones need and an epoch took 3–10× longer (measured: 14–64 s instead of 3–4.5 s at L = 24, load ≈ 9),
/// which drowns any overhead this benchmark looks for. PASSIVE workers sleep instead. Both sides run in the same
/// process, so they always share the policy. .NET's Environment.SetEnvironmentVariable does not reach native
/// getenv on Linux, hence setenv. "default" really is libgomp's own: Program.cs touches torch (set_num_threads)
/// before the library's first use, so the library's spin bound (TorchRuntime.BoundOpenMpSpinning) finds libgomp
/// loaded and leaves it alone; the --omp-load figure compares that bound with libgomp's default.
/// </summary>
internal static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Applies <paramref name="policy"/> ("passive", "active", or "default" to leave libgomp's own) unless the
    /// environment already sets it; returns what is in effect.</summary>
    public static string Apply(string policy)
    {
        string? inherited = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(inherited))
            return $"{inherited} (from the environment)";
        if (policy.Equals("default", StringComparison.OrdinalIgnoreCase))
            return "libgomp default (spin, then sleep)";
        string value = policy.ToUpperInvariant();
        if (setenv(Variable, value, 1) != 0)
            throw new InvalidOperationException($"setenv({Variable}) failed.");
        return value;
    }

    /// <summary>The value to hand to child processes, which start from .NET's copy of the environment.</summary>
    public static string? Current() => Marshal.PtrToStringUTF8(getenv(Variable));

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern IntPtr getenv(string name);
}
