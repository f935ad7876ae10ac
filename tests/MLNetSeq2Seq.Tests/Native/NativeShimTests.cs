using System;
using System.IO;
using System.Linq;
using MLNetSeq2Seq.Native;
using Xunit;

namespace MLNetSeq2Seq.Tests.Native;

public sealed class NativeShimTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static string OutputShim => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string CacheShim => Path.Combine(TestEnvironment.NuGetPackageRoot, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void The_build_relaxes_the_output_copy_and_leaves_the_NuGet_cache_alone()
    {
        byte[] output = File.ReadAllBytes(OutputShim);
        byte[] cache = File.ReadAllBytes(CacheShim);

        ElfVersionNeed cacheNeed = ElfVersionNeeds.Read(cache).Single(n => n.Version == Version);
        ElfVersionNeed outputNeed = ElfVersionNeeds.Read(output).Single(n => n.Version == Version);
        Assert.False(cacheNeed.IsWeak);
        Assert.True(outputNeed.IsWeak);
        Assert.Equal(new[] { "_ZSt21ios_base_library_initv" }, outputNeed.UndefinedSymbols);

        // Only the two bytes of vna_flags may differ.
        Assert.Equal(cache.Length, output.Length);
        int[] differing = Enumerable.Range(0, cache.Length).Where(i => cache[i] != output[i]).ToArray();
        Assert.NotEmpty(differing);
        Assert.All(differing, i => Assert.InRange(i, outputNeed.FlagsOffset, outputNeed.FlagsOffset + 1));
    }

    [Fact]
    public void The_patcher_refuses_a_version_that_a_used_symbol_needs()
    {
        byte[] image = File.ReadAllBytes(CacheShim);
        ElfVersionNeed glibc = ElfVersionNeeds.Read(image).First(n => n.Version.StartsWith("GLIBC_", StringComparison.Ordinal) && n.UndefinedSymbols.Count > 0);

        string outcome = ElfVersionNeeds.TryWeaken(image, glibc.Version, new[] { "_ZSt21ios_base_library_initv" }, out bool changed);

        Assert.False(changed);
        Assert.Contains("left strict", outcome);
        Assert.Equal(File.ReadAllBytes(CacheShim), image);
    }

    [Fact]
    public void An_unrelaxed_shim_is_explained_with_the_loaders_own_error()
    {
        TorchRuntime.EnsureLoaded(); // libtorch is then resident, so only the shim's own requirements are checked.
        using var folder = new TemporaryFolder();
        string shim = folder.File("libLibTorchSharp.so");
        File.Copy(CacheShim, shim);
        File.CreateSymbolicLink(folder.File("libtorch.so"), Path.Combine(Path.GetDirectoryName(OutputShim)!, "libtorch.so"));

        bool systemHasVersion = SystemLibstdcxxDefines(Version);
        bool loaded = TorchRuntime.TryLoadNative(shim, out string loaderError);

        Assert.Equal(systemHasVersion, loaded);
        if (!systemHasVersion)
        {
            Assert.Contains(Version, loaderError);
            string diagnosis = TorchRuntime.DescribeLoadFailure(new[] { shim });
            Assert.Contains(Version, diagnosis);
            Assert.Contains("not relaxed by MLNetSeq2Seq's build step", diagnosis);
            Assert.DoesNotContain("doesn't contain a reference", diagnosis);
        }
    }

    [Fact]
    public void A_missing_backend_is_named_in_the_diagnosis()
    {
        using var folder = new TemporaryFolder();
        string shim = folder.File("libLibTorchSharp.so");
        File.Copy(OutputShim, shim);

        string diagnosis = TorchRuntime.DescribeLoadFailure(new[] { shim });

        Assert.Contains("libtorch is not in the application's output", diagnosis);
        Assert.Contains("libtorch-cpu-linux-x64", diagnosis);
    }

    // The libstdc++ this process uses (found through /proc/self/maps) lists its version names as plain strings.
    private static bool SystemLibstdcxxDefines(string version)
    {
        TorchRuntime.EnsureLoaded();
        string path = File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .First(p => Path.GetFileName(p).StartsWith("libstdc++.so", StringComparison.Ordinal));
        byte[] bytes = File.ReadAllBytes(path);
        byte[] needle = System.Text.Encoding.ASCII.GetBytes(version + "\0");
        return bytes.AsSpan().IndexOf(needle) >= 0;
    }
}
