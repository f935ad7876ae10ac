using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// Bounds how long libtorch's idle OpenMP workers spin before they sleep, unless the user has chosen a policy.
/// libgomp's own default spins 300,000 rounds (about 3 ms) after every parallel region. A training step is
/// thousands of short regions, so the workers never sleep; beside another busy process on the same cores the
/// spinning workers take the time slices the working threads need, and an epoch ran 10–40× slower
/// (docs/benchmarks.md, "A loaded machine"). <c>OMP_WAIT_POLICY=PASSIVE</c> (no spinning) cures that but makes
/// every region wake a sleeping worker: 1.5× slower on a quiet machine. A short bounded spin keeps the quiet
/// speed (the next region usually starts within it) and lets a worker sleep when the cores are contended.
/// libgomp reads these settings once, when libtorch loads it, so this must run before the first native load.
/// </summary>
internal static class OpenMpSpinDefault
{
    /// <summary>The GOMP_SPINCOUNT this library sets when the user sets none (measured in docs/benchmarks.md).</summary>
    public const long SpinCount = 20_000;

    /// <summary>Applies the default when the environment chooses nothing; returns what is in effect, in words.</summary>
    /// <param name="enabled"><see cref="TorchRuntime.BoundOpenMpSpinning"/>.</param>
    public static string Apply(bool enabled)
    {
        if (!OperatingSystem.IsLinux())
            return "left to the platform's OpenMP runtime (the spin bound applies to libgomp on Linux only)";

        // The user's own variables win. One set only in .NET's copy of the environment would never reach libgomp,
        // so it is passed on to the native environment first.
        foreach (string name in NativeEnvironment.UserOpenMpWaitVariables)
        {
            string? native = NativeEnvironment.Get(name);
            if (!string.IsNullOrEmpty(native))
                return $"{name}={native} (from the environment)";
        }
        foreach (string name in NativeEnvironment.UserOpenMpWaitVariables)
        {
            string? managed = Environment.GetEnvironmentVariable(name);
            if (!string.IsNullOrEmpty(managed))
            {
                NativeEnvironment.Set(name, managed);
                return $"{name}={managed} (from Environment.SetEnvironmentVariable, passed on to the native environment)";
            }
        }
        if (!enabled)
            return "libgomp's own default (TorchRuntime.BoundOpenMpSpinning = false)";
        if (LibgompIsLoaded())
            return "libgomp's own default: libtorch was loaded before MLNetSeq2Seq's first use, so it was too late to bound the spin";

        string value = SpinCount.ToString(CultureInfo.InvariantCulture);
        NativeEnvironment.Set(NativeEnvironment.GompSpinCount, value);
        return $"{NativeEnvironment.GompSpinCount}={value} (MLNetSeq2Seq's default)";
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
