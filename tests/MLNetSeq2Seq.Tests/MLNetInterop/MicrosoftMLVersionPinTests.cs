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
/// MLNetInterop compiles against ML.NET internals, so the package must accept exactly the ML.NET lines CI tests (5.0.x
/// from 5.0.1, and 6.0.x) and refuse every other. These tests pack the library (the build the tests run against, no
/// rebuild) and read the dependency out of the real .nupkg with NuGet's own range semantics.
/// </summary>
public sealed class MicrosoftMLVersionPinTests
{
    [Fact]
    public void The_packed_nuspec_allows_Microsoft_ML_5_0_x_from_5_0_1_and_6_0_x_and_refuses_the_rest()
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
            Assert.True(range.Satisfies(NuGetVersion.Parse("6.0.0")), $"{shown} refuses 6.0.0, the current ML.NET that CI tests");
            Assert.True(range.Satisfies(NuGetVersion.Parse("6.0.7")), $"{shown} refuses a 6.0 patch release");
            Assert.False(range.Satisfies(NuGetVersion.Parse("5.0.0")), $"{shown} allows 5.0.0, older than the build's 5.0.1");
            Assert.False(range.Satisfies(NuGetVersion.Parse("6.1.0")), $"{shown} allows 6.1.0, whose internals CI has not tested");
            Assert.False(range.Satisfies(NuGetVersion.Parse("7.0.0")), $"{shown} allows 7.0.0");
            // The range is one interval; 5.1 … 5.x sit inside it only because NuGet ranges cannot have holes. No
            // such release exists (ML.NET went from 5.0 to 6.0), and the build-time guard below refuses them.
        }

        // The description says which lines, so a user who meets the restore error finds the reason on the package page.
        string description = (string)nuspec.Descendants(ns + "description").Single();
        Assert.Contains("5.0.x and 6.0.x", description);
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

    [Fact]
    public void The_tests_run_against_the_Microsoft_ML_line_the_build_chose()
    {
        // -p:MicrosoftMLLine switches the central versions; the assemblies loaded here must be that version, not the
        // library's compile-time lowest (5.0.1) coming in transitively.
        string chosen = typeof(MicrosoftMLVersionPinTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "MicrosoftMLVersion").Value!;
        foreach (Assembly assembly in new[] { typeof(Microsoft.ML.MLContext).Assembly, typeof(Microsoft.ML.IDataView).Assembly })
        {
            string informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
            Assert.Equal(chosen, informational.Split('+')[0]);
        }
        Console.WriteLine($"Microsoft.ML line under test: {chosen}");
    }

    [Fact]
    public void The_package_carries_the_Microsoft_ML_version_check_to_every_consumer()
    {
        PackedNuspec();

        Assert.Contains("buildTransitive/MLNetSeq2Seq.MicrosoftMLVersion.targets", s_packageFiles);
        Assert.Contains("build/MLNetSeq2Seq.MicrosoftMLVersion.targets", s_packageFiles);
    }

    [Theory]
    [InlineData("5.0.1", true)]
    [InlineData("5.0.3", true)]
    [InlineData("6.0.0", true)]
    [InlineData("6.0.2", true)]
    [InlineData("5.0.0", false)]
    [InlineData("5.1.0", false)]
    [InlineData("6.1.0", false)]
    [InlineData("7.0.0", false)]
    [InlineData("6.0.0-preview.1", false)]
    [InlineData("5.0.1-rc.1", false)]
    public void A_project_that_resolves_another_Microsoft_ML_fails_its_build_naming_the_version(string version, bool builds)
    {
        // NuGet only warns (NU1608) when an app references Microsoft.ML 6.1 itself, so the package's targets check
        // what was resolved. A stand-in for NuGet's ResolvePackageAssets hands the real target the items NuGet
        // produces (compile assets carrying NuGetPackageId and NuGetPackageVersion).
        using var folder = new TemporaryFolder();
        string targets = Path.Combine(TestEnvironment.RepoRoot, "src", "MLNetSeq2Seq", "build", "MLNetSeq2Seq.targets");
        File.WriteAllText(folder.File("consumer.proj"), $"""
            <Project>
              <Import Project="{targets}" />
              <Target Name="ResolvePackageAssets">
                <ItemGroup>
                  <ResolvedCompileFileDefinitions Include="/packages/microsoft.ml/{version}/lib/netstandard2.0/Microsoft.ML.Data.dll" NuGetPackageId="Microsoft.ML" NuGetPackageVersion="{version}" />
                  <ResolvedCompileFileDefinitions Include="/packages/microsoft.ml/{version}/lib/netstandard2.0/Microsoft.ML.Core.dll" NuGetPackageId="Microsoft.ML" NuGetPackageVersion="{version}" />
                  <ResolvedCompileFileDefinitions Include="/packages/other/9.0.0/lib/Other.dll" NuGetPackageId="Other" NuGetPackageVersion="9.0.0" />
                </ItemGroup>
              </Target>
            </Project>
            """);

        var (exitCode, output) = Dotnet("msbuild", folder.File("consumer.proj"), "-t:ResolvePackageAssets", "-nologo", "-v:m");

        if (builds)
        {
            Assert.True(exitCode == 0, output);
        }
        else
        {
            Assert.NotEqual(0, exitCode);
            Assert.Contains($"error MLNETSEQ2SEQ001: MLNetSeq2Seq works with Microsoft.ML 5.0.x (from 5.0.1) and 6.0.x (it declares [5.0.1, 6.1)), but this project resolves Microsoft.ML {version}.", output);
        }
    }

    private static XDocument? s_nuspec;
    private static string[] s_packageFiles = Array.Empty<string>();

    /// <summary>Runs <c>dotnet pack --no-build</c> on the library in the configuration the tests were built with, into a
    /// temporary folder, and returns the nuspec inside the .nupkg.</summary>
    private static XDocument PackedNuspec()
    {
        if (s_nuspec is not null)
            return s_nuspec;
        Assembly library = typeof(Seq2SeqEstimator).Assembly;
        string configuration = library.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        string project = Path.Combine(TestEnvironment.RepoRoot, "src", "MLNetSeq2Seq", "MLNetSeq2Seq.csproj");
        using var folder = new TemporaryFolder();

        var (exitCode, output) = Dotnet("pack", project, "-c", configuration, "--no-build", "--no-restore", "--nologo",
            "-o", folder.Path, $"-p:NuspecOutputPath={folder.Path}/nuspec/");
        Assert.True(exitCode == 0, $"dotnet pack failed ({exitCode}):\n{output}");

        string package = Directory.GetFiles(folder.Path, "MLNetSeq2Seq.*.nupkg").Single();
        using ZipArchive zip = ZipFile.OpenRead(package);
        s_packageFiles = zip.Entries.Select(e => e.FullName).ToArray();
        using Stream entry = zip.Entries.Single(e => e.FullName == "MLNetSeq2Seq.nuspec").Open();
        return s_nuspec = XDocument.Load(entry);
    }

    private static (int ExitCode, string Output) Dotnet(params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {arguments[0]} ran longer than 3 minutes");
        }
        return (process.ExitCode, output.Result + errors.Result);
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
