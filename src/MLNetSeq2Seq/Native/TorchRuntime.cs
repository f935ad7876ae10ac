using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using MLNetSeq2Seq.Native;
using TorchSharp;

namespace MLNetSeq2Seq;

/// <summary>
/// Loads TorchSharp's native runtime once, and when that fails explains why in the dynamic loader's words.
/// TorchSharp 0.107 reports every load failure as "doesn't contain a reference to libtorch-cpu-linux-x64",
/// even when the real cause is, say, a libstdc++ that lacks GLIBCXX_3.4.32.
/// </summary>
public static class TorchRuntime
{
    private const string ShimFileName = "libLibTorchSharp.so";
    private static readonly object s_gate = new();
    private static volatile bool s_loaded;
    private static bool s_boundOpenMpSpinning = true;
    private static string s_openMpSettings = "not applied yet: the native runtime is not loaded";
    private static string s_oneDnnSettings = "not applied yet: the native runtime is not loaded";

    /// <summary>
    /// Whether the first <see cref="EnsureLoaded"/> bounds the busy-waiting of libtorch's OpenMP workers (Linux, libgomp)
    /// by setting <c>GOMP_SPINCOUNT</c> in the native environment before libtorch loads. Default <c>true</c>.
    /// Without the bound, idle workers spin 300,000 rounds (libgomp's estimate: 3 ms) after every parallel region, and a training beside another
    /// busy process on the same cores ran 4 to more than 20 times slower (docs/benchmarks.md, "A loaded machine").
    /// </summary>
    /// <remarks>
    /// Only applied when the environment sets neither <c>OMP_WAIT_POLICY</c> nor <c>GOMP_SPINCOUNT</c>: the user's own
    /// variables always win. Set this to <c>false</c> before the first use of MLNetSeq2Seq (or of TorchSharp) to keep
    /// libgomp's own default. libgomp reads its settings once, when libtorch loads it, so changing the value after that
    /// throws <see cref="InvalidOperationException"/>.
    /// </remarks>
    /// <exception cref="InvalidOperationException">Changed after the native runtime was loaded.</exception>
    public static bool BoundOpenMpSpinning
    {
        get => s_boundOpenMpSpinning;
        set
        {
            lock (s_gate)
            {
                if (s_loaded && value != s_boundOpenMpSpinning)
                    throw new InvalidOperationException(
                        $"TorchRuntime.BoundOpenMpSpinning must be set before the first use of MLNetSeq2Seq: libtorch is already loaded, and its "
                        + $"OpenMP runtime read its settings then ({s_openMpSettings}). Set it at the start of the application, or set "
                        + $"{UserEnvironmentVariables.GompSpinCount} or {UserEnvironmentVariables.OpenMpWaitPolicy} in the environment before the process starts.");
                s_boundOpenMpSpinning = value;
            }
        }
    }

    /// <summary>What governs the OpenMP workers' waiting in this process, in words (for logs), for example
    /// "GOMP_SPINCOUNT=2000 (MLNetSeq2Seq's default)" or "OMP_WAIT_POLICY=PASSIVE (from the environment)".</summary>
    public static string OpenMpSettings => s_openMpSettings;

    /// <summary>How oneDNN runs in this process, in words, e.g. "ONEDNN_MAX_CPU_ISA=AVX2 (MLNetSeq2Seq's default)", or
    /// "oneDNN off (...)" when libtorch was loaded before this library could cap it: oneDNN's AVX-512 LSTM kernel gave
    /// wrong inference results, see docs/pytorch.md.</summary>
    public static string OneDnnSettings => s_oneDnnSettings;

    /// <summary>
    /// Makes sure TorchSharp and libtorch are loaded for the CPU. Every entry point of this library calls it first.
    /// Before the first native load it applies the OpenMP default (<see cref="BoundOpenMpSpinning"/>) and checks that
    /// the application carries a libtorch backend, so a missing one is reported before TorchSharp's fallback loader
    /// copies natives into the output folder.
    /// </summary>
    /// <exception cref="TorchRuntimeUnavailableException">The native runtime cannot be loaded; the message says why.</exception>
    public static void EnsureLoaded()
    {
        if (s_loaded)
            return;
        lock (s_gate)
        {
            if (s_loaded)
                return;
            s_openMpSettings = OpenMpSpinDefault.Apply(s_boundOpenMpSpinning);
            var (oneDnnSettings, oneDnnDecision) = OneDnnIsaDefault.Apply();
            if (NativeBackendProbe.ShouldProbe() && !NativeBackendProbe.ShimLoadsByName())
                throw new TorchRuntimeUnavailableException(DescribeLoadFailure(), null);
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception ex) when (ex is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
            {
                throw new TorchRuntimeUnavailableException(DescribeLoadFailure(), ex);
            }
            s_oneDnnSettings = OneDnnIsaDefault.ApplyAfterLoad(oneDnnSettings, oneDnnDecision);
            s_loaded = true;
        }
    }

    /// <summary>Tries to dlopen one native library; on failure returns the loader's error text.</summary>
    internal static bool TryLoadNative(string path, out string error)
    {
        try
        {
            NativeLibrary.Load(path);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The places this process would take TorchSharp's shim from, in the order .NET probes them.</summary>
    internal static IReadOnlyList<string> ShimCandidates()
    {
        string rid = RuntimeInformation.RuntimeIdentifier;
        string portableRid = (OperatingSystem.IsLinux() ? "linux-" : OperatingSystem.IsMacOS() ? "osx-" : "win-")
            + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var folders = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" }
            .Where(f => f.Length > 0).Distinct();
        var candidates = new List<string>();
        foreach (string folder in folders)
        {
            candidates.Add(Path.Combine(folder, "runtimes", portableRid, "native", ShimFileName));
            if (rid != portableRid)
                candidates.Add(Path.Combine(folder, "runtimes", rid, "native", ShimFileName));
            candidates.Add(Path.Combine(folder, ShimFileName));
        }
        return candidates.Distinct().ToList();
    }

    internal static string DescribeLoadFailure() => DescribeLoadFailure(ShimCandidates());

    /// <summary>Explains why the shim at the first existing candidate path does not load.</summary>
    internal static string DescribeLoadFailure(IReadOnlyList<string> shimCandidates)
    {
        if (!OperatingSystem.IsLinux())
            return "TorchSharp's native runtime could not be loaded. Reference one libtorch backend package "
                + "(for example libtorch-cpu-linux-x64 2.10.0 on Linux) from the application.";

        List<string> present = shimCandidates.Where(File.Exists).ToList();
        if (present.Count == 0)
            return $"TorchSharp's native shim ({ShimFileName}) is not in the application's output; looked in: "
                + string.Join(", ", shimCandidates) + ". Reference the TorchSharp package (MLNetSeq2Seq brings it) and build again.";

        string shim = present[0];
        string? libtorch = new[] { Path.GetDirectoryName(shim)!, AppContext.BaseDirectory }
            .Select(folder => Path.Combine(folder, "libtorch.so")).FirstOrDefault(File.Exists);
        if (libtorch is null)
            return $"libtorch is not in the application's output (next to {shim}): the application references no libtorch "
                + $"backend package. Add one to the application's project: libtorch-cpu-linux-x64 {NativeBackendProbe.LibTorchPackageVersion()} "
                + $"for the CPU, or TorchSharp-cuda-linux {NativeBackendProbe.TorchSharpPackageVersion()} for CUDA (see README, "
                + "'Picking the libtorch backend').";

        if (TryLoadNative(shim, out string loaderError))
            return $"TorchSharp's shim {shim} and libtorch load from their files, but not by name through the application's "
                + "dependency manifest (*.deps.json), which is how TorchSharp looks for them, or TorchSharp failed to initialise "
                + "(see the inner exception, if any). Reference the backend package from the application's project and build again.";

        string message = $"The dynamic loader refused TorchSharp's native shim: {loaderError}";
        if (loaderError.Contains("GLIBCXX_", StringComparison.Ordinal))
        {
            bool relaxed = ElfVersionNeeds.Read(File.ReadAllBytes(shim))
                .Any(need => need.Version == "GLIBCXX_3.4.32" && need.IsWeak);
            message += relaxed
                ? " The shim's GLIBCXX_3.4.32 requirement is already relaxed, so this libstdc++ is older than the build step supports; install a newer libstdc++ (GCC 13 or later)."
                : $" This copy of {ShimFileName} was not relaxed by MLNetSeq2Seq's build step (it runs after build and publish "
                  + "for projects that reference MLNetSeq2Seq, unless MLNetSeq2SeqRelaxTorchSharpShim=false). Rebuild or republish "
                  + "the application so the output copy is patched, or install a libstdc++ from GCC 13 or later.";
        }
        return message;
    }
}
