using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.ChildProcess;
using Xunit;

namespace MLNetSeq2Seq.Tests.Native;

/// <summary>
/// An application that references MLNetSeq2Seq but no libtorch backend package, as a new user would first build
/// it: a copy of this test assembly's output without libtorch's files and with the backend package removed from its
/// deps.json, started as a child process. TorchSharp's fallback loader would copy the backend's natives from the
/// NuGet cache into a cpu/ folder beside TorchSharp.dll and print its trace; the child's NuGet cache here is a small
/// fake one, so that the fallback, if it ran, would be cheap and visible.
/// </summary>
public sealed class MissingBackendTests
{
    public const string FitCommand = "fit-without-backend";
    public const string LoadCommand = "load-without-backend";

    private const string BackendPackage = "libtorch-cpu-linux-x64";
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void A_fit_without_a_backend_throws_our_error_first_with_no_fallback_trace_and_no_copied_natives()
    {
        using var app = new AppWithoutBackend();

        var (exitCode, stdout, stderr) = app.Run(FitCommand);

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("LoadNativeBackend", stdout + stderr);
        Assert.False(Directory.Exists(Path.Combine(app.Folder, "cpu")), "TorchSharp's fallback copied natives into the output folder");
        // The exception that reaches the caller is ours, with nothing of TorchSharp's type initializer inside.
        Assert.StartsWith($"{typeof(TorchRuntimeUnavailableException).FullName}: libtorch is not in the application's output", stderr);
        Assert.DoesNotContain("TypeInitializationException", stderr);
        Assert.Contains($"{BackendPackage} 2.10.0", stderr);
        Assert.Contains("Picking the libtorch backend", stderr);
    }

    [Fact]
    public void Loading_a_model_without_a_backend_reports_our_error_with_no_fallback()
    {
        using var app = new AppWithoutBackend();
        string model = Path.Combine(AppContext.BaseDirectory, "Fixtures", "quickstart-format-0x00010003.zip");

        var (exitCode, stdout, stderr) = app.Run(LoadCommand, model);

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("LoadNativeBackend", stdout + stderr);
        Assert.False(Directory.Exists(Path.Combine(app.Folder, "cpu")), "TorchSharp's fallback copied natives into the output folder");
        // ML.NET calls a loader by reflection and wraps what it throws; the child unwraps as far as ours.
        Assert.StartsWith($"innermost {typeof(TorchRuntimeUnavailableException).FullName}: libtorch is not in the application's output", stdout);
        Assert.DoesNotContain("TypeInitializationException", stdout);
    }

    [Theory]
    [InlineData("/root/.nuget/packages/torchsharp/0.107.0/lib/net8.0", true)]
    [InlineData("/home/me/.nuget/packages/TorchSharp/0.107.0/lib/netstandard2.0/", true)]
    [InlineData("/home/me/torchsharp-library-demo/bin/Debug/net10.0", false)]
    [InlineData("/srv/app", false)]
    public void Only_a_TorchSharp_running_from_the_package_cache_is_left_to_its_own_loader(string folder, bool packageCache)
    {
        // F# / .NET Interactive run TorchSharp.dll from the NuGet cache, where TorchSharp's copying fallback is its way in.
        Assert.Equal(packageCache, MLNetSeq2Seq.Native.NativeBackendProbe.IsPackageCacheLayout(folder));
    }

    [Fact]
    public void This_test_run_loads_TorchSharp_from_its_output_folder_so_the_probe_runs()
    {
        Assert.False(MLNetSeq2Seq.Native.NativeBackendProbe.TorchSharpRunsFromPackageCache());
        Assert.True(MLNetSeq2Seq.Native.NativeBackendProbe.ShouldProbe());
        Assert.True(MLNetSeq2Seq.Native.NativeBackendProbe.ShimLoadsByName());
    }

    // Child side: a one-epoch Fit through the public API, letting the exception reach Main (which prints it).
    public static int FitInChild(string[] args)
    {
        var ml = new MLContext(seed: 1);
        var options = SyntheticSequences.SmallOptions(maxEpochs: 1);
        using var model = ml.Regression.Trainers.Seq2Seq(options).Fit(ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(16, seed: 1)));
        return 0;
    }

    // Child side: Model.Load of a saved pipeline; prints the innermost exception of what ML.NET throws.
    public static int LoadInChild(string[] args)
    {
        try
        {
            new MLContext().Model.Load(args[0], out DataViewSchema _);
            Console.WriteLine("loaded");
            return 0;
        }
        catch (Exception ex)
        {
            Exception innermost = ex;
            while (innermost.InnerException is not null)
                innermost = innermost.InnerException;
            Console.WriteLine($"innermost {innermost.GetType().FullName}: {innermost.Message}");
            Console.WriteLine(ex);
            return 1;
        }
    }

    /// <summary>The test output copied without libtorch: top-level files and TorchSharp's shim (about 14 MB), and a
    /// deps.json without the backend package, as `dotnet build` writes it for an app that does not reference it.</summary>
    private sealed class AppWithoutBackend : IDisposable
    {
        private readonly TemporaryFolder _root = new();

        public AppWithoutBackend()
        {
            Folder = Path.Combine(_root.Path, "app");
            string native = Path.Combine("runtimes", "linux-x64", "native");
            Directory.CreateDirectory(Path.Combine(Folder, native));
            foreach (string file in Directory.GetFiles(AppContext.BaseDirectory))
                File.Copy(file, Path.Combine(Folder, Path.GetFileName(file)));
            File.Copy(Path.Combine(AppContext.BaseDirectory, native, "libLibTorchSharp.so"), Path.Combine(Folder, native, "libLibTorchSharp.so"));
            RemoveBackendFromDeps(Directory.GetFiles(Folder, "*.deps.json").Single());

            // A NuGet cache that holds the backend package, with one tiny file in place of 478 MB of natives.
            NuGetPackages = Path.Combine(_root.Path, "packages");
            string cached = Path.Combine(NuGetPackages, BackendPackage, "2.10.0", native);
            Directory.CreateDirectory(cached);
            File.WriteAllText(Path.Combine(cached, "libc10.so"), "not a library");
        }

        public string Folder { get; }

        public string NuGetPackages { get; }

        public (int ExitCode, string Stdout, string Stderr) Run(params string[] arguments)
        {
            var start = new ProcessStartInfo(ChildProcessRunner.DotnetHost())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(Path.Combine(Folder, Path.GetFileName(typeof(MissingBackendTests).Assembly.Location)));
            foreach (string argument in arguments)
                start.ArgumentList.Add(argument);
            start.Environment["NUGET_PACKAGES"] = NuGetPackages;
            using Process child = Process.Start(start)!;
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            if (!child.WaitForExit(s_timeout))
            {
                child.Kill(entireProcessTree: true);
                throw new TimeoutException($"The child without a backend ran longer than {s_timeout}.");
            }
            return (child.ExitCode, stdout.Result, stderr.Result);
        }

        public void Dispose() => _root.Dispose();

        private static void RemoveBackendFromDeps(string depsFile)
        {
            JsonNode deps = JsonNode.Parse(File.ReadAllText(depsFile))!;
            bool removed = false;
            foreach (var (_, target) in deps["targets"]!.AsObject())
            {
                foreach (string key in target!.AsObject().Select(kv => kv.Key).Where(k => k.StartsWith(BackendPackage + "/", StringComparison.Ordinal)).ToList())
                    removed |= target.AsObject().Remove(key);
                foreach (var (_, library) in target.AsObject())
                    (library?["dependencies"] as JsonObject)?.Remove(BackendPackage);
            }
            JsonObject libraries = deps["libraries"]!.AsObject();
            foreach (string key in libraries.Select(kv => kv.Key).Where(k => k.StartsWith(BackendPackage + "/", StringComparison.Ordinal)).ToList())
                libraries.Remove(key);
            Assert.True(removed, $"{depsFile} names no {BackendPackage}; the test no longer removes the backend.");
            File.WriteAllText(depsFile, deps.ToJsonString());
        }
    }
}
