using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace MLNetSeq2Seq.Tests;

/// <summary>Paths the build recorded into the test assembly, and scratch folders that clean up after themselves.</summary>
internal static class TestEnvironment
{
    public static string NuGetPackageRoot => Metadata("NuGetPackageRoot");

    public static string RepoRoot => Metadata("RepoRoot");

    /// <summary>../shared/data beside the repository, when the checkout has it.</summary>
    public static string? SharedDataFile(string name)
    {
        string path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", name));
        return File.Exists(path) ? path : null;
    }

    /// <summary>Why a test that reads ../shared/data/<paramref name="name"/> is skipped; null when the file is here. The
    /// data sets are not committed to the repository (../shared/data/README.md).</summary>
    public static string? MissingSharedDataReason(string name) => SharedDataFile(name) is null
        ? $"../shared/data/{name} is not in this checkout (the real data sets are not committed to the repository)."
        : null;

    private static string Metadata(string key) =>
        typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == key).Value ?? throw new InvalidOperationException($"No {key} metadata.");
}

/// <summary>A fresh folder under the system temp folder, deleted on Dispose.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnetseq2seq-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
