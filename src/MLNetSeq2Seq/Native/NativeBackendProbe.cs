using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace MLNetSeq2Seq.Native;

/// <summary>
/// TorchSharp's own first loading step, done before TorchSharp runs. TorchSharp 0.107 loads its shim by name,
/// relative to TorchSharp.dll (so through the application's deps.json). When that fails it falls back to copying
/// every native file of the backend package from the NuGet cache into a <c>cpu/</c> folder beside TorchSharp.dll
/// (478 MB for the CPU backend), prints a 25–40 line trace to standard output, and throws from its type
/// initializer. Probing the same way first lets the library explain a missing backend before any of that happens;
/// when the probe succeeds the shim is resident, so TorchSharp's own step finds it and never falls back.
/// </summary>
internal static class NativeBackendProbe
{
    private const string ShimName = "LibTorchSharp";

    /// <summary>
    /// Whether to probe before TorchSharp: on Linux (where the fallback was seen and the probe is tested), unless
    /// TorchSharp runs from the NuGet cache. Elsewhere TorchSharp also preloads other libraries first (CUDA on
    /// Windows), so its own loader is left to decide.
    /// </summary>
    public static bool ShouldProbe() => OperatingSystem.IsLinux() && !TorchSharpRunsFromPackageCache();

    /// <summary>Loads the shim the way TorchSharp's first step does; false when that step would fail too.</summary>
    public static bool ShimLoadsByName() =>
        NativeLibrary.TryLoad(ShimName, typeof(torch).Assembly, searchPath: null, out _);

    /// <summary>
    /// Whether TorchSharp.dll runs from inside the NuGet cache (…/torchsharp/&lt;version&gt;/lib/&lt;tfm&gt;/), as in
    /// F# or .NET Interactive. There copying the natives into one folder is TorchSharp's intended way in, so the
    /// library leaves it to TorchSharp.
    /// </summary>
    public static bool TorchSharpRunsFromPackageCache() => IsPackageCacheLayout(Path.GetDirectoryName(typeof(torch).Assembly.Location));

    internal static bool IsPackageCacheLayout(string? torchSharpFolder)
    {
        if (string.IsNullOrEmpty(torchSharpFolder))
            return false;
        DirectoryInfo tfm = new(torchSharpFolder);
        DirectoryInfo? lib = tfm.Parent, version = lib?.Parent, package = version?.Parent;
        return lib is not null && package is not null
            && lib.Name.Equals("lib", StringComparison.OrdinalIgnoreCase)
            && package.Name.Equals("torchsharp", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The libtorch version the referenced TorchSharp was built against, as a NuGet version ("2.10.0"). Read from
    /// TorchSharp's metadata without running its type initializer (which would start the loading this class
    /// exists to pre-empt); "2.10.0", TorchSharp 0.107's, if the constant is not found.
    /// </summary>
    public static string LibTorchPackageVersion()
    {
        const string fallback = "2.10.0";
        object? value = typeof(torch).GetField("libtorchPackageVersion", BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue();
        if (value is not string version || !Version.TryParse(version, out Version? parsed))
            return fallback;
        return parsed.Revision > 0 ? parsed.ToString(4) : parsed.ToString(3);
    }

    /// <summary>The TorchSharp package version (the CUDA backend package TorchSharp-cuda-linux carries the same one).</summary>
    public static string TorchSharpPackageVersion()
    {
        string? informational = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "0.107.0";
    }
}
