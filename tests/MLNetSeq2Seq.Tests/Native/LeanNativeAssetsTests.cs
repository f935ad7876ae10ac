using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Native;

/// <summary>
/// build/MLNetSeq2Seq.LeanNativeAssets.targets, seen through this test assembly's own output: what its .deps.json
/// lists is what the build copied and what a publish of it would carry. The expected sets are derived from the ELF
/// files in the NuGet cache, not from the targets' lists. eng/publish-size.sh checks a published app the same way,
/// runs it, and checks that the opt-out keeps every file.
/// </summary>
[Collection(GlobalTorchGenerator.Name)]
public sealed class LeanNativeAssetsTests
{
    private const string LibTorchPackage = "libtorch-cpu-linux-x64";

    [Fact]
    public void The_output_keeps_exactly_the_libtorch_files_the_shim_loads()
    {
        Dictionary<string, RuntimeTarget> listed = RuntimeTargets();
        string libtorchFolder = PackageNativeFolder(LibTorchPackage, listed);
        string[] packageFiles = Directory.GetFiles(libtorchFolder).Select(Path.GetFileName).ToArray()!;
        SortedSet<string> loaded = ElfNeededLibraries.ClosureWithin(Path.Combine(PackageNativeFolder("TorchSharp", listed), "libLibTorchSharp.so"), libtorchFolder);
        loaded.Remove("libLibTorchSharp.so");

        Assert.Contains("libtorch_cpu.so", loaded);
        Assert.NotEmpty(packageFiles.Except(loaded)); // the package ships files nothing loads: there is something to leave out
        string[] kept = listed.Values.Where(t => t.Package == LibTorchPackage).Select(t => t.FileName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(loaded, kept);
    }

    [Fact]
    public void The_output_lists_no_native_of_another_platform_and_no_debug_symbols()
    {
        Dictionary<string, RuntimeTarget> listed = RuntimeTargets();
        string torchSharpRuntimes = Path.GetDirectoryName(Path.GetDirectoryName(PackageNativeFolder("TorchSharp", listed)))!;
        string[] shippedRids = Directory.GetDirectories(torchSharpRuntimes).Select(Path.GetFileName).ToArray()!;
        Assert.Contains(shippedRids, rid => !rid.StartsWith("linux", StringComparison.Ordinal)); // TorchSharp ships Windows and macOS shims

        var usable = new[] { "linux-x64", "linux", "unix", "any" };
        Assert.All(listed, pair => Assert.True(usable.Contains(pair.Value.Rid), $"{pair.Key} ({pair.Value.Package}) is for {pair.Value.Rid}"));
        Assert.DoesNotContain(listed.Keys, path => path.EndsWith(".dbg", StringComparison.Ordinal) || path.EndsWith(".dwarf", StringComparison.Ordinal));
    }

    [Fact]
    public void Training_maps_no_libtorch_file_that_the_output_leaves_out()
    {
        Dictionary<string, RuntimeTarget> listed = RuntimeTargets();
        var leftOut = Directory.GetFiles(PackageNativeFolder(LibTorchPackage, listed)).Select(Path.GetFileName)
            .Except(listed.Values.Select(t => t.FileName)).ToHashSet(StringComparer.Ordinal);

        TorchRuntime.EnsureLoaded();
        using (torch.NewDisposeScope())
        {
            using var gru = nn.GRU(3, 8, batchFirst: true);
            var (output, _) = gru.forward(torch.randn(4, 5, 3));
            output.sum().backward();
        }

        string[] mapped = File.ReadLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].StartsWith('/')).Select(fields => Path.GetFileName(fields[5])).Distinct().ToArray();
        Assert.Contains("libtorch_cpu.so", mapped);
        Assert.DoesNotContain(mapped, leftOut.Contains);
    }

    private sealed record RuntimeTarget(string Package, string Version, string Rid, string FileName);

    /// <summary>Every runtimeTargets entry of this test assembly's .deps.json, by path.</summary>
    private static Dictionary<string, RuntimeTarget> RuntimeTargets()
    {
        string depsFile = Path.Combine(AppContext.BaseDirectory, typeof(LeanNativeAssetsTests).Assembly.GetName().Name + ".deps.json");
        using JsonDocument deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var targets = new Dictionary<string, RuntimeTarget>(StringComparer.Ordinal);
        foreach (JsonProperty library in deps.RootElement.GetProperty("targets").EnumerateObject().Single().Value.EnumerateObject())
        {
            if (!library.Value.TryGetProperty("runtimeTargets", out JsonElement runtimeTargets))
                continue;
            string[] idAndVersion = library.Name.Split('/');
            foreach (JsonProperty asset in runtimeTargets.EnumerateObject())
                targets.Add(asset.Name, new RuntimeTarget(idAndVersion[0], idAndVersion[1], asset.Value.GetProperty("rid").GetString()!, Path.GetFileName(asset.Name)));
        }
        Assert.NotEmpty(targets);
        return targets;
    }

    /// <summary>The package's runtimes/linux-x64/native folder in the NuGet cache, at the version the output lists.</summary>
    private static string PackageNativeFolder(string package, Dictionary<string, RuntimeTarget> listed)
    {
        string version = listed.Values.First(t => t.Package == package).Version;
        string folder = Path.Combine(TestEnvironment.NuGetPackageRoot, package.ToLowerInvariant(), version, "runtimes", "linux-x64", "native");
        Assert.True(Directory.Exists(folder), $"{folder} is missing");
        return folder;
    }
}
