using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// Bounds how long libtorch's idle OpenMP workers spin before they sleep, unless the user has chosen a policy.
/// libgomp's own default spins 300,000 rounds (libgomp's estimate: 3 ms) after every parallel region. A training
/// step is thousands of short regions, so the workers hardly ever sleep; beside another busy process on the same
/// cores the spinning workers take the time slices the working threads need, and an epoch ran 4 to more than 20
/// times slower (docs/benchmarks.md, "A loaded machine"). <c>OMP_WAIT_POLICY=PASSIVE</c> (no spinning) cures that
/// but makes every region wake a sleeping worker: about 1.4× slower on a quiet machine. A short bounded spin keeps
/// most of the quiet speed (the next region usually starts within it) and lets a worker sleep when the cores are
/// contended. Measured on 2 cores: 1,000 rounds was as slow as PASSIVE when quiet; 3,000–5,000 were up to
/// 3.0–3.4× slower beside a second training, 20,000 about 8×; 2,000 kept that at 1.6× (at most 2.1×) for a quiet
/// cost of 1.1–1.3× against libgomp's default.
/// libgomp reads these settings once, when libtorch loads it, so this must run before the first native load.
/// </summary>
internal static class OpenMpSpinDefault
{
    /// <summary>The GOMP_SPINCOUNT this library sets when the user sets none (measured in docs/benchmarks.md).</summary>
    public const long SpinCount = 2_000;

    /// <summary>Applies the default when the environment chooses nothing; returns what is in effect, in words.</summary>
    /// <param name="enabled"><see cref="TorchRuntime.BoundOpenMpSpinning"/>.</param>
    public static string Apply(bool enabled)
    {
        if (!OperatingSystem.IsLinux())
            return "left to the platform's OpenMP runtime (the spin bound applies to libgomp on Linux only)";

        // The user's own variables win. .NET's copy of the environment holds the process's initial variables and any set
        // with Environment.SetEnvironmentVariable — which alone would never reach libgomp — so the value is written to the
        // native environment too (a no-op when it came from there).
        var userChoices = new[]
        {
            (Name: UserEnvironmentVariables.OpenMpWaitPolicy, Value: Environment.GetEnvironmentVariable(UserEnvironmentVariables.OpenMpWaitPolicy)),
            (Name: UserEnvironmentVariables.GompSpinCount, Value: Environment.GetEnvironmentVariable(UserEnvironmentVariables.GompSpinCount)),
        };
        foreach (var (name, chosen) in userChoices)
        {
            if (!string.IsNullOrEmpty(chosen))
            {
                NativeEnvironment.Set(name, chosen);
                return $"{name}={chosen} (from the environment)";
            }
        }
        if (!enabled)
            return "libgomp's own default (TorchRuntime.BoundOpenMpSpinning = false)";
        if (LibgompIsLoaded())
            return "libgomp's own default: libtorch was loaded before MLNetSeq2Seq's first use, so it was too late to bound the spin";

        string value = SpinCount.ToString(CultureInfo.InvariantCulture);
        NativeEnvironment.Set(UserEnvironmentVariables.GompSpinCount, value);
        return $"{UserEnvironmentVariables.GompSpinCount}={value} (MLNetSeq2Seq's default)";
    }

    /// <summary>Whether some libgomp (libtorch bundles a renamed copy, libgomp-&lt;hash&gt;.so.1) is mapped already.</summary>
    internal static bool LibgompIsLoaded()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.LastIndexOf('/') is int slash and >= 0 ? line[(slash + 1)..] : "")
                .Any(file => file.StartsWith("libgomp", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
