using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using NuGet.Versioning;
using Xunit;

namespace MLNetSeq2Seq.Tests.MLNetInterop;

/// <summary>
/// MLNetInterop compiles against ML.NET 5.0.x internals, so the package must refuse any other minor version. These
/// tests pack the library (the build the tests run against, no rebuild) and read the dependency out of the real
/// .nupkg with NuGet's own range semantics.
/// </summary>
public sealed class MicrosoftMLVersionPinTests
{
    [Fact]
    public void The_packed_nuspec_allows_Microsoft_ML_5_0_x_from_5_0_1_and_refuses_5_1()
    {
        XDocument nuspec = PackedNuspec();
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var dependencies = nuspec.Descendants(ns + "dependency").Where(d => (string?)d.Attribute("id") == "Microsoft.ML").ToList();
        Assert.NotEmpty(dependencies);

        foreach (XElement dependency in dependencies)
        {
            var range = VersionRange.Parse((string)dependency.Attribute("version")!);
            string shown = range.PrettyPrint();
            Assert.True(range.Satisfies(NuGetVersion.Parse("5.0.1")), $"{shown} refuses 5.0.1, the version MLNetInterop is built against");
            Assert.True(range.Satisfies(NuGetVersion.Parse("5.0.9")), $"{shown} refuses a 5.0 patch release");
            Assert.False(range.Satisfies(NuGetVersion.Parse("5.0.0")), $"{shown} allows 5.0.0, older than the build's 5.0.1");
            Assert.False(range.Satisfies(NuGetVersion.Parse("5.1.0")), $"{shown} allows 5.1.0, whose internals MLNetInterop was not built against");
            Assert.False(range.Satisfies(NuGetVersion.Parse("6.0.0")), $"{shown} allows 6.0.0");
        }

        // The description says why, so a user who meets the restore error finds the reason on the package page.
        string description = (string)nuspec.Descendants(ns + "description").Single();
        Assert.Contains("5.1", description);
    }

    [Fact]
    public void The_Microsoft_ML_the_tests_run_against_is_inside_the_declared_range()
    {
        VersionRange range = VersionRange.Parse((string)PackedNuspec().Descendants().First(d => d.Name.LocalName == "dependency" && (string?)d.Attribute("id") == "Microsoft.ML").Attribute("version")!);
        // Microsoft.ML.Data's informational version is the package version ("5.0.1+commit").
        string informational = typeof(Microsoft.ML.MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var loaded = NuGetVersion.Parse(informational.Split('+')[0]);

        Assert.True(range.Satisfies(loaded), $"the tests run against Microsoft.ML {loaded}, outside the package's {range.PrettyPrint()}");
    }

    private static XDocument? s_nuspec;

    /// <summary>Runs <c>dotnet pack --no-build</c> on the library in the configuration the tests were built with, into a
    /// temporary folder, and returns the nuspec inside the .nupkg.</summary>
    private static XDocument PackedNuspec()
    {
        if (s_nuspec is not null)
            return s_nuspec;
        Assembly library = typeof(Seq2SeqEstimator).Assembly;
        string configuration = library.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        string repoRoot = typeof(MicrosoftMLVersionPinTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
        string project = Path.Combine(repoRoot, "src", "MLNetSeq2Seq", "MLNetSeq2Seq.csproj");
        using var folder = new TemporaryFolder();

        var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "pack", project, "-c", configuration, "--no-build", "--no-restore", "--nologo",
                     "-o", folder.Path, $"-p:NuspecOutputPath={folder.Path}/nuspec/" })
            start.ArgumentList.Add(argument);
        using var pack = Process.Start(start)!;
        var output = pack.StandardOutput.ReadToEndAsync();
        var errors = pack.StandardError.ReadToEndAsync();
        if (!pack.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            pack.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet pack ran longer than 3 minutes");
        }
        Assert.True(pack.ExitCode == 0, $"dotnet pack failed ({pack.ExitCode}):\n{output.Result}\n{errors.Result}");

        string package = Directory.GetFiles(folder.Path, "MLNetSeq2Seq.*.nupkg").Single();
        using ZipArchive zip = ZipFile.OpenRead(package);
        using Stream entry = zip.Entries.Single(e => e.FullName == "MLNetSeq2Seq.nuspec").Open();
        return s_nuspec = XDocument.Load(entry);
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
